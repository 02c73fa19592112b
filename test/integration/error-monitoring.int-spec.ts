import { randomBytes, randomUUID } from 'node:crypto';
import { errorMonitoringSuite } from '../live-config/error-monitoring.suite';
import { declaredTypes, deleteTopology } from '../queue/rabbitmq.kit';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/** Error events through RabbitMQ (retries on its delay queues), settings and jobs on MongoDB. */
describeWithServices(
  ['RABBITMQ_URL', 'DATABASE_URL', 'MONGODB_URI'],
  'error monitoring over RabbitMQ (stores on MongoDB and PostgreSQL)',
  () => {
    /** This run's exchange and queues, deleted afterwards. */
    const prefix = `aimwtest-err-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
    let types: Array<{ type: string; maxAttempts: number }> = [];
    afterAll(async () => {
      await deleteTopology(SERVICE_URLS.RABBITMQ_URL!, prefix, types);
    });
    errorMonitoringSuite(
      () => ({
        ...SERVICE_URLS,
        REDIS_URL: undefined,
        QUEUE_PREFIX: prefix,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      }),
      { beforeClose: (t) => void (types = declaredTypes(t.gw.app)) },
    );
  },
);
