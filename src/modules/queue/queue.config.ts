import { envNamespace, type Env } from '../../config';

/** Jobs of any type hold their lease this long; a worker silent for longer is presumed dead. */
export const DEFAULT_LEASE_MS = 15 * 60 * 1000;
/** In-process queue: messages waiting before enqueueing answers 503 (the bounded buffer). */
export const IN_PROCESS_MAX_BUFFERED = 10_000;
/** RabbitMQ: publishes waiting for a connection before new ones fail at once. */
export const RABBIT_MAX_PENDING_PUBLISHES = 1_000;

/**
 * The queue's settings, from the validated environment given to the app. Provided by QueueModule
 * (`provideNamespace`); inject with `@Inject(queueConfig.KEY)`.
 */
export const queueConfig = envNamespace('queue', (e: Env) => {
  return {
    prefix: e.QUEUE_PREFIX,
    maxAttempts: e.QUEUE_MAX_ATTEMPTS,
    retryBaseMs: e.QUEUE_RETRY_BASE_MS,
    concurrency: e.QUEUE_CONCURRENCY,
    publishTimeoutMs: e.QUEUE_PUBLISH_TIMEOUT_MS,
    /** In-flight jobs get half the shutdown budget; HTTP draining and closing need the rest. */
    shutdownGraceMs: Math.floor(e.SHUTDOWN_TIMEOUT_MS / 2),
    leaseMs: DEFAULT_LEASE_MS,
  };
});

export type QueueSettings = ReturnType<typeof queueConfig>;
