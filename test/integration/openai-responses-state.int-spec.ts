import { describeResponsesApiState } from '../e2e/openai-responses-state.suite';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/**
 * The Responses API's state with every real service: documents on MongoDB, metrics on
 * PostgreSQL, background runs through RabbitMQ, rate-limit counters and the cache on Redis.
 */
describeWithServices(
  ['DATABASE_URL', 'MONGODB_URI', 'RABBITMQ_URL', 'REDIS_URL'],
  'Responses API state on real services',
  () => {
    describeResponsesApiState('Responses API state (MongoDB, PostgreSQL, RabbitMQ, Redis)', () => ({
      DATABASE_URL: SERVICE_URLS.DATABASE_URL,
      MONGODB_URI: SERVICE_URLS.MONGODB_URI,
      RABBITMQ_URL: SERVICE_URLS.RABBITMQ_URL,
      REDIS_URL: SERVICE_URLS.REDIS_URL,
    }));
  },
);
