import { Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideNamespace } from '../../config';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { JobsRepository } from './jobs/jobs.repository';
import { PayloadCodec } from './jobs/payload-codec';
import { PostgresJobsRepository } from './jobs/postgres/postgres-jobs.repository';
import { DeadLettersController } from './ops/dead-letters.controller';
import { JobsController } from './ops/jobs.controller';
import { queueConfig } from './queue.config';
import { DepthSampler } from './runtime/depth-sampler';
import { JobHandlerRegistry } from './runtime/job-handler.registry';
import { JobQueue } from './runtime/job-queue.service';
import { JobRecovery } from './runtime/job-recovery';
import { JobRunner } from './runtime/job-runner';
import { jobTransportProvider } from './transports/transport.factory';
import { WebhookDelivery } from './webhooks/webhook-delivery.service';
import { WebhookSecretController } from './webhooks/webhook-secret.controller';
import { WebhookSecrets } from './webhooks/webhook-secrets.service';

/**
 * Background jobs (DESIGN flow 3): RabbitMQ when RABBITMQ_URL is set, the in-process twin
 * otherwise, with the job state store, retries, dead letters and webhook delivery.
 *
 * Generic: it knows no job types. Feature modules enqueue (`JobQueue`) and register their
 * handlers (`JobHandlerRegistry`) from their own providers — completions registers the async
 * `completion` handler, monitoring and post-answer theirs. Not global: a module that uses it
 * imports it (one instance all the same: Nest shares a static module).
 */
@Module({
  imports: [CryptoModule],
  controllers: [JobsController, DeadLettersController, WebhookSecretController],
  providers: [
    provideNamespace(queueConfig),
    provideRepository(
      JobsRepository,
      () => import('./jobs/mongo/mongo-jobs.repository').then((m) => m.MongoJobsRepository),
      PostgresJobsRepository,
    ),
    jobTransportProvider,
    PayloadCodec,
    JobHandlerRegistry,
    JobRunner,
    JobRecovery,
    DepthSampler,
    JobQueue,
    WebhookSecrets,
    WebhookDelivery,
  ],
  exports: [JobQueue, JobHandlerRegistry, PayloadCodec, WebhookDelivery, WebhookSecrets],
})
export class QueueModule {}
