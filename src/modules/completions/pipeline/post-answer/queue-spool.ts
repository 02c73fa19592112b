import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  JobHandlerRegistry,
  JobQueue,
  PermanentJobError,
  type JobContext,
  type JobHandler,
  type JsonValue,
} from '../../../queue';
import { fromStoredRecord, toStoredRecord, type PostAnswerRecord } from './post-answer.record';
import type { PostAnswerSpool, StoreKind } from './post-answer.spool';
import { PostAnswerWriter } from './post-answer.writer';

/** The untracked job type that carries post-answer records through the broker. */
export const POST_ANSWER_JOB = 'post_answer';

/**
 * The last spool, when RabbitMQ is configured: the record as a persistent, confirmed message,
 * written by whichever instance consumes it, retried (every 30 s at most) until the stores
 * take it. With the stores down, answers can still be given and nothing of them is lost.
 */
export class QueueSpool implements PostAnswerSpool {
  readonly name = 'queue';
  readonly store: StoreKind = 'broker';

  constructor(private readonly queue: JobQueue) {}

  hold(r: PostAnswerRecord): Promise<void> {
    return this.queue.send(POST_ANSWER_JOB, r.org_id, r.id, toStoredRecord(r) as JsonValue);
  }
}

/** Consumes `post_answer` messages: writes the record (idempotently) or fails to be retried. */
@Injectable()
export class PostAnswerJobHandler implements JobHandler<PostAnswerRecord>, OnModuleInit {
  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly writer: PostAnswerWriter,
  ) {}

  onModuleInit(): void {
    this.registry.register(POST_ANSWER_JOB, this, {
      parse: (p) => {
        try {
          return fromStoredRecord(p);
        } catch (e) {
          throw new PermanentJobError(e instanceof Error ? e.message : String(e), 'BAD_PAYLOAD');
        }
      },
      untracked: true,
      maxRetryDelayMs: 30_000,
    });
  }

  async run(ctx: JobContext<PostAnswerRecord>): Promise<void> {
    await this.writer.write(ctx.payload);
  }
}
