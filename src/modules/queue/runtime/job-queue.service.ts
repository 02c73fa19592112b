import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException, ErrorCode } from '../../../common/errors';
import { newId } from '../../../common/ids/new-id';
import type { Page, PageRequest } from '../../../common/pagination';
import { isUniqueViolation } from '../../../infra/document-store/unique-violation';
import { QueueUnavailableError } from '../core/errors';
import type { JobEnvelope, JsonValue } from '../core/job-envelope';
import { JobTransport } from '../core/job-transport';
import { JOB_ID_PREFIX, NOT_ENQUEUED, type JobRecord } from '../jobs/job.types';
import { JobsRepository } from '../jobs/jobs.repository';
import { PayloadCodec } from '../jobs/payload-codec';
import { queueConfig } from '../queue.config';
import { DepthSampler } from './depth-sampler';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobRecovery } from './job-recovery';
import { JobRunner } from './job-runner';
import { queueMetrics } from './queue.metrics';

export interface EnqueueOptions {
  /** Same key (per org) = same job: the existing one is returned instead of a new one. */
  idempotencyKey?: string;
  /** Fingerprint of the request; a key reused with another fingerprint is a 409. */
  requestHash?: string;
}

export interface EnqueueResult {
  job: JobRecord;
  /** False when an earlier request with the same idempotency key made the job. */
  created: boolean;
}

const NOT_QUEUED = 'The job could not be queued: the queue was unavailable';

/**
 * The queue's public face: enqueue jobs (job store first, then a confirmed publish), read them,
 * list and requeue dead ones. It also runs the consumers: they start once every module has
 * registered its handlers, and stop (bounded) before connections close.
 */
@Injectable()
export class JobQueue implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('JobQueue');

  constructor(
    private readonly transport: JobTransport,
    private readonly registry: JobHandlerRegistry,
    private readonly store: JobsRepository,
    private readonly codec: PayloadCodec,
    private readonly runner: JobRunner,
    private readonly recovery: JobRecovery,
    private readonly sampler: DepthSampler,
    @Inject(queueConfig.KEY) private readonly cfg: ConfigType<typeof queueConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const specs = this.registry.freeze();
    this.transport.onDeadLetter((e) =>
      queueMetrics.deadLetters.inc({ type: e.type, reason: e.reason }),
    );
    await this.transport.start(specs, (d, signal) => this.runner.handle(d, signal));
    this.sampler.start(specs.map((s) => s.type));
    this.recovery.start(specs.map((s) => s.type));
    this.logger.log(
      `consuming ${specs.map((s) => s.type).join(', ') || 'no job types'} over ${this.transport.kind}`,
    );
  }

  /**
   * Shutdown, first step: stop consuming and let in-flight jobs finish (bounded). It runs in
   * `onModuleDestroy`, before any `beforeApplicationShutdown`, so that what those jobs leave
   * behind (the pipeline's post-answer writes) is still drained by BackgroundTasks, and before
   * connections close. Enqueueing keeps working meanwhile (requests still in flight).
   */
  async onModuleDestroy(): Promise<void> {
    this.sampler.stop();
    await this.recovery.stop();
    await this.transport.stopConsuming(this.cfg.shutdownGraceMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }

  /** Records the job, then publishes it; 503 when the broker does not take it in time. */
  async enqueue(
    type: string,
    orgId: string,
    payload: JsonValue,
    opts: EnqueueOptions = {},
  ): Promise<EnqueueResult> {
    const reg = this.registry.get(type);
    if (!reg) throw new Error(`no handler registered for job type ${type}`);
    if (opts.idempotencyKey !== undefined) {
      const existing = await this.store.findByIdempotencyKey(orgId, opts.idempotencyKey);
      if (existing) return this.repeat(existing, opts.requestHash);
    }
    const id = newId(JOB_ID_PREFIX);
    let job: JobRecord;
    try {
      job = await this.store.create(orgId, {
        id,
        type,
        max_attempts: reg.maxAttempts,
        payload: this.codec.seal(orgId, id, payload),
        idempotency_key: opts.idempotencyKey,
        request_hash: opts.requestHash,
      });
    } catch (e) {
      // Two requests with one key at once: the loser answers with the winner's job.
      if (opts.idempotencyKey !== undefined && isConflict(e)) {
        const existing = await this.store.findByIdempotencyKey(orgId, opts.idempotencyKey);
        if (existing) return this.repeat(existing, opts.requestHash);
      }
      throw e;
    }
    await this.publish(job, () => this.store.failUnpublished(orgId, id, NOT_QUEUED));
    return { job, created: true };
  }

  /**
   * Publishes a message of an untracked type (no job record, no status): its handler runs until
   * it succeeds, so its effects must be idempotent by `id`. Resolves once the broker confirmed
   * it; rejects with QueueUnavailableError otherwise. Survives a crash only when `durable`.
   */
  async send(type: string, orgId: string, id: string, payload: JsonValue): Promise<void> {
    if (!this.registry.get(type)?.untracked)
      throw new Error(`${type} is not an untracked job type`);
    await this.transport.publish({
      v: 1,
      id,
      type,
      org_id: orgId,
      payload: this.codec.seal(orgId, id, payload),
    });
    queueMetrics.published.inc({ type, result: 'ok' });
  }

  /** Whether published messages outlive this process (RabbitMQ), or only the job store does. */
  get durable(): boolean {
    return this.transport.kind === 'rabbitmq';
  }

  get(orgId: string, id: string): Promise<JobRecord | undefined> {
    return this.store.get(orgId, id);
  }

  listDead(orgId: string, type: string | undefined, page: PageRequest): Promise<Page<JobRecord>> {
    return this.store.listDead(orgId, type, page);
  }

  /** A dead job runs again with a fresh attempt budget (its saved outcome, if any, is kept). */
  async requeue(orgId: string, id: string): Promise<JobRecord> {
    const job = await this.store.get(orgId, id);
    if (!job) throw new AppException(ErrorCode.NOT_FOUND, `Job ${id} not found`);
    if (!this.registry.get(job.type)) {
      throw new AppException(ErrorCode.CONFLICT, `Jobs of type ${job.type} are not handled here`);
    }
    if (job.status !== 'dead' || !(await this.store.requeueDead(orgId, id))) {
      throw new AppException(
        ErrorCode.CONFLICT,
        `Only dead-lettered jobs can be requeued; job ${id} is ${job.status}`,
      );
    }
    const requeued: JobRecord = {
      ...job,
      status: 'queued',
      attempts: 0,
      error: null,
      run_after: null,
      finished_at: null,
    };
    await this.publish(requeued, () =>
      this.store.markDead(orgId, id, undefined, { code: NOT_ENQUEUED, message: NOT_QUEUED }),
    );
    // It is not dead any more: its old dead letter goes, so the dead-letter depth stays true.
    // The store says "dead" a moment before the broker has the dead letter: if it is not there
    // yet, look once more after a publish's worth of time.
    if (!(await this.removeDeadLetter(job.type, id))) {
      setTimeout(() => void this.removeDeadLetter(job.type, id), this.cfg.publishTimeoutMs).unref();
    }
    // As of the requeue: by the time anyone reads it again it may well be running already.
    return requeued;
  }

  /**
   * A repeat of an idempotent request: the same job. One whose message never reached the broker
   * is published now — it failed with NOT_ENQUEUED (the first request got a 503), or it is still
   * unstarted after its first publish must have ended (the process died between storing and
   * publishing; JobRecovery's sweeper would republish it too). A duplicate message is harmless:
   * the consumer runs a job once.
   *
   * The job record is not written after publishing (no "published" flag): a consumer may be
   * claiming the job at that very moment, and on FerretDB concurrent writes to one document can
   * overwrite each other.
   */
  private async repeat(existing: JobRecord, requestHash?: string): Promise<EnqueueResult> {
    if (requestHash && existing.request_hash && existing.request_hash !== requestHash) {
      throw new AppException(
        ErrorCode.CONFLICT,
        'This Idempotency-Key was already used for a different request',
      );
    }
    const { org_id: orgId, id } = existing;
    if (
      existing.status === 'failed' &&
      existing.attempts === 0 &&
      existing.error?.code === NOT_ENQUEUED &&
      (await this.store.reopenUnpublished(orgId, id))
    ) {
      await this.publish(existing, () => this.store.failUnpublished(orgId, id, NOT_QUEUED));
      return { job: { ...existing, status: 'queued', error: null }, created: false };
    }
    // Unstarted well past the first request's own publish: publish again rather than wait for
    // the sweeper (a duplicate message is acked without running the job twice).
    const stale = Date.now() - existing.updated_at.getTime() > this.cfg.publishTimeoutMs;
    if (existing.status === 'queued' && existing.attempts === 0 && stale) {
      await this.publish(existing, async () => undefined);
    }
    return { job: existing, created: false };
  }

  private removeDeadLetter(type: string, id: string): Promise<boolean> {
    return this.transport.removeDeadLetter(type, id).catch((e: unknown) => {
      this.logger.warn(`job ${id}: its dead letter could not be removed: ${String(e)}`);
      return true; // the broker is unreachable: nothing to retry against
    });
  }

  private async publish(job: JobRecord, onFailure: () => Promise<unknown>): Promise<void> {
    try {
      await this.transport.publish(envelopeOf(job));
    } catch (e) {
      queueMetrics.published.inc({ type: job.type, result: 'error' });
      if (!(e instanceof QueueUnavailableError)) throw e;
      this.logger.warn(`job ${job.id} not queued: ${e.message}`);
      await onFailure().catch(() => undefined);
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'The job queue is unavailable right now; try again shortly',
        { details: { job_id: job.id }, headers: { 'retry-after': '5' }, cause: e },
      );
    }
    queueMetrics.published.inc({ type: job.type, result: 'ok' });
  }
}

export function envelopeOf(
  job: Pick<JobRecord, 'id' | 'type' | 'org_id' | 'payload'>,
): JobEnvelope {
  return { v: 1, id: job.id, type: job.type, org_id: job.org_id, payload: job.payload };
}

function isConflict(e: unknown): boolean {
  return isUniqueViolation(e) || (e instanceof AppException && e.code === ErrorCode.CONFLICT);
}
