import { describeResponsesState } from '../e2e/responses-state.suite';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/** The same flows as the e2e tier, with the document store on real servers. */
describeWithServices(['DATABASE_URL'], 'responses state on PostgreSQL', () => {
  describeResponsesState('Responses state in the app (PostgreSQL)', () => ({
    DATABASE_URL: SERVICE_URLS.DATABASE_URL,
  }));
});

describeWithServices(['DATABASE_URL', 'MONGODB_URI'], 'responses state on MongoDB', () => {
  describeResponsesState('Responses state in the app (MongoDB + PostgreSQL)', () => ({
    DATABASE_URL: SERVICE_URLS.DATABASE_URL,
    MONGODB_URI: SERVICE_URLS.MONGODB_URI,
  }));
});
