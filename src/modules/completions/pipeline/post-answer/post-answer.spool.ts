import type { PostAnswerRecord } from './post-answer.record';

/** Which store a write (or a spool) depends on. */
export type StoreKind = 'documents' | 'metrics' | 'broker';

/**
 * Somewhere a record is kept durably when its writes could not all be done before the answer:
 * an outbox in a store, or a message in the broker. Holding must be idempotent by record id.
 */
export interface PostAnswerSpool {
  /** For logs and the `path` label of `gateway_post_answer_records_total`. */
  readonly name: string;
  /** A spool in a store whose write just failed is not tried. */
  readonly store: StoreKind;
  /** Resolves once the record is stored durably. */
  hold(record: PostAnswerRecord): Promise<void>;
}

/** An outbox entry claimed for writing. */
export interface OutboxEntry {
  record: PostAnswerRecord;
  attempts: number;
}

/**
 * A spool kept in a store and drained by the PostAnswerSweeper: claims are leases (an entry
 * claimed by an instance that then died comes due again), so draining is at-least-once and the
 * writes' idempotency keeps it exact.
 */
export abstract class PostAnswerOutbox implements PostAnswerSpool {
  abstract readonly name: string;
  abstract readonly store: StoreKind;
  abstract hold(record: PostAnswerRecord): Promise<void>;
  /** Entries due now, oldest due first, leased until `leaseUntil`. */
  abstract claimDue(limit: number, now: Date, leaseUntil: Date): Promise<OutboxEntry[]>;
  abstract remove(ids: string[]): Promise<void>;
  /** Records a failed write of the entry and when to try again. */
  abstract retryLater(id: string, error: string, at: Date): Promise<void>;
}
