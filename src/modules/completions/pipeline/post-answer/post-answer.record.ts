import type { ConversationMessageInput, NewCallLog } from '../../../conversations';
import type { UsageRecord } from '../../../metrics';

/**
 * Everything a finished completion leaves behind, as data: the thread append, the call log and
 * the usage rows (one per provider round, or one for a cache hit). Every id is fixed when the
 * record is built, so writing a record again (a retry, a redelivered message, a sweep of an
 * outbox) stores nothing twice: the exchange id, the call log id and each usage row id are the
 * keys the stores deduplicate on.
 */
export interface PostAnswerRecord {
  /** Unique per completion run; names the record in outboxes and queue messages. */
  id: string;
  org_id: string;
  at: Date;
  /** null when the completion named no thread, or failed (a failure appends nothing). */
  exchange: {
    thread_id: string;
    sub_thread_id: string | null;
    exchange_id: string;
    messages: ConversationMessageInput[];
  } | null;
  /** null for a stream its client left mid-way: only its finished rounds' usage is kept. */
  call_log: (NewCallLog & { id: string; created_at: Date }) | null;
  usage: UsageRecord[];
}

export const POST_ANSWER_RECORD_PREFIX = 'par';

/** A record as JSON-safe data (outbox rows, queue messages). */
export type StoredPostAnswerRecord = ReturnType<typeof toStoredRecord>;

export function toStoredRecord(r: PostAnswerRecord) {
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
}

/**
 * A record read back from JSON (dates as ISO strings) or from a document store (dates as
 * Dates); throws on anything that is not one, so a corrupt entry fails loudly instead of
 * writing half a record.
 */
export function fromStoredRecord(v: unknown): PostAnswerRecord {
  if (typeof v !== 'object' || v === null) throw new Error('post-answer record: not an object');
  const o = v as Record<string, unknown>;
  const callLog = o.call_log as Record<string, unknown> | null | undefined;
  if (
    typeof o.id !== 'string' ||
    typeof o.org_id !== 'string' ||
    callLog === undefined ||
    (callLog !== null && typeof callLog.id !== 'string') ||
    !Array.isArray(o.usage)
  ) {
    throw new Error('post-answer record: missing fields');
  }
  return {
    ...(o as unknown as PostAnswerRecord),
    at: date(o.at),
    call_log:
      callLog === null
        ? null
        : {
            ...(callLog as unknown as NonNullable<PostAnswerRecord['call_log']>),
            created_at: date(callLog.created_at),
          },
    usage: (o.usage as Array<Record<string, unknown>>).map(
      (u) => ({ ...u, time: date(u.time) }) as unknown as UsageRecord,
    ),
  };
}

function date(v: unknown): Date {
  const d = v instanceof Date ? v : new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new Error('post-answer record: bad date');
  return d;
}
