import { Injectable } from '@nestjs/common';
import { CallLogSink, ThreadStore, UsageSink } from '../ports';
import type { PostAnswerRecord } from './post-answer.record';
import type { StoreKind } from './post-answer.spool';

/** Some of a record's writes failed: which stores, and the first error. */
export class PostAnswerWriteError extends Error {
  constructor(
    readonly failed: ReadonlySet<StoreKind>,
    override readonly cause: unknown,
  ) {
    super(
      `post-answer writes failed in ${[...failed].join(', ')}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'PostAnswerWriteError';
  }
}

/**
 * Writes what a record holds to where it belongs: the thread append and the call log to the
 * document store, the usage rows to the metrics store. Idempotent: every id is fixed in the
 * record, so writing it again (after a partial failure, from an outbox, from a redelivered
 * message) stores nothing twice. The port (and DI token); CompletionsModule picks the
 * implementation from the stores configured.
 */
export abstract class PostAnswerWriter {
  /** Resolves once everything is stored; rejects with PostAnswerWriteError otherwise. */
  abstract write(r: PostAnswerRecord): Promise<void>;
}

/**
 * Documents and metrics in different stores (MongoDB + PostgreSQL): the three writes go out
 * at once through the owning modules' ports, each grouped with the writes of concurrent answers
 * into one statement per store.
 */
@Injectable()
export class StoresPostAnswerWriter extends PostAnswerWriter {
  constructor(
    private readonly threads: ThreadStore,
    private readonly callLogs: CallLogSink,
    private readonly usage: UsageSink,
  ) {
    super();
  }

  async write(r: PostAnswerRecord): Promise<void> {
    const writes: Array<[StoreKind, Promise<unknown>]> = [];
    if (r.call_log) writes.push(['documents', this.callLogs.record(r.call_log)]);
    const x = r.exchange;
    if (x) {
      writes.push([
        'documents',
        this.threads.appendExchange(r.org_id, x.thread_id, x.sub_thread_id, x.messages, {
          exchangeId: x.exchange_id,
          createdAt: r.at,
        }),
      ]);
    }
    if (r.usage.length > 0) writes.push(['metrics', this.usage.write(r.usage)]);
    const settled = await Promise.allSettled(writes.map(([, p]) => p));
    const failed = new Set<StoreKind>();
    let cause: unknown;
    settled.forEach((s, i) => {
      if (s.status === 'rejected') {
        failed.add(writes[i][0]);
        cause ??= s.reason;
      }
    });
    if (failed.size > 0) throw new PostAnswerWriteError(failed, cause);
  }
}
