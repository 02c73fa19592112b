import { randomBytes } from 'node:crypto';
import { describeManagementApi } from '../e2e/management.suite';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/** The same management flows as the e2e tier, with the document store on real servers. */
const encryptionKey = randomBytes(32).toString('hex');

describeWithServices(['DATABASE_URL'], 'management API on PostgreSQL alone', () => {
  describeManagementApi(
    'Management API (PostgreSQL)',
    () => ({ DATABASE_URL: SERVICE_URLS.DATABASE_URL, ENCRYPTION_KEY: encryptionKey }),
    { embedded: false },
  );
});

describeWithServices(
  ['DATABASE_URL', 'MONGODB_URI'],
  'management API on MongoDB + PostgreSQL',
  () => {
    describeManagementApi(
      'Management API (MongoDB + PostgreSQL)',
      () => ({
        DATABASE_URL: SERVICE_URLS.DATABASE_URL,
        MONGODB_URI: SERVICE_URLS.MONGODB_URI,
        ENCRYPTION_KEY: encryptionKey,
      }),
      { embedded: false },
    );
  },
);
