import { Inject, Injectable, Logger } from '@nestjs/common';
import { isStoreUnavailable, storeUnavailable } from '../../../../common/errors';
import { counter } from '../../../../common/metrics/prom';
import type { PostAnswerRecord } from './post-answer.record';
import type { PostAnswerSpool } from './post-answer.spool';
import { PostAnswerWriteError, PostAnswerWriter } from './post-answer.writer';

/** The spools of this deployment, in the order they are tried (see CompletionsModule). */
export const POST_ANSWER_SPOOLS = Symbol('POST_ANSWER_SPOOLS');

const records = counter(
  'gateway_post_answer_records_total',
  'Answered completions by where their post-answer record was made durable',
  ['path'],
);

/** A failure is logged at most this often per reason; the counter carries every one. */
const LOG_EVERY_MS = 10_000;

/**
 * Makes an answer's post-answer record durable before the answer leaves: the thread append,
 * call log and usage rows are written to their stores (grouped with concurrent answers); if a
 * store fails, the whole record goes to the first spool (an outbox in a store that did not
 * fail, or a broker message) that takes it, and is written from there later. If none does,
 * the commit fails with 503 SERVICE_UNAVAILABLE and the caller does not send the answer:
 * nothing the client was told is ever lost.
 */
@Injectable()
export class PostAnswerJournal {
  private readonly logger = new Logger('PostAnswer');
  private readonly lastLog = new Map<string, number>();

  constructor(
    private readonly writer: PostAnswerWriter,
    @Inject(POST_ANSWER_SPOOLS) private readonly spools: PostAnswerSpool[],
  ) {}

  async commit(record: PostAnswerRecord): Promise<void> {
    let failure: unknown;
    try {
      await this.writer.write(record);
      records.inc({ path: 'direct' });
      return;
    } catch (e) {
      failure = e;
    }
    const failed = failure instanceof PostAnswerWriteError ? failure.failed : undefined;
    const cause = failure instanceof PostAnswerWriteError ? failure.cause : failure;
    for (const spool of this.spools) {
      if (failed?.has(spool.store)) continue;
      try {
        await spool.hold(record);
        records.inc({ path: spool.name });
        this.logThrottled(
          spool.name,
          `post-answer writes failed, record kept in ${spool.name}: ${message(cause)}`,
        );
        return;
      } catch (e) {
        this.logThrottled(
          `${spool.name}-failed`,
          `${spool.name} refused a post-answer record: ${message(e)}`,
        );
      }
    }
    records.inc({ path: 'failed' });
    this.logThrottled(
      'failed',
      `post-answer record ${record.id} could not be made durable: ${message(cause)}`,
    );
    throw isStoreUnavailable(cause) ? storeUnavailable(cause) : cause;
  }

  private logThrottled(key: string, line: string): void {
    const now = Date.now();
    if (now - (this.lastLog.get(key) ?? 0) < LOG_EVERY_MS) return;
    this.lastLog.set(key, now);
    this.logger.warn(line);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
