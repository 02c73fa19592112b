/** The queue module's public API. */
export { QueueModule } from './queue.module';
export { JobQueue, type EnqueueOptions, type EnqueueResult } from './runtime/job-queue.service';
export { JobHandlerRegistry } from './runtime/job-handler.registry';
export type { JobContext, JobHandler, JobHandlerOptions, JobOutcome } from './runtime/job-handler';
export { PayloadCodec } from './jobs/payload-codec';
export { PermanentJobError, RetryableJobError, QueueUnavailableError } from './core/errors';
export type { JobRecord, JobStatus, JobError } from './jobs/job.types';
export type { JsonValue } from './core/job-envelope';
export { signWebhook, verifyWebhook } from './webhooks/webhook-signature';
export { sendSignedWebhook, type SignedWebhook } from './webhooks/send-signed-webhook';
export {
  RESERVED_WEBHOOK_HEADERS,
  WebhookDelivery,
  type WebhookTarget,
} from './webhooks/webhook-delivery.service';
export { WebhookSecrets } from './webhooks/webhook-secrets.service';
export { JobEntity } from './jobs/postgres/job.entity';
export { Jobs1795708600000 } from './jobs/postgres/1795708600000-Jobs';
