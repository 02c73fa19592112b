import { Schema } from 'mongoose';
import { RESPONSE_STATUSES, type StoredResponse } from '../response-record';

export const RESPONSE_REVISION_MODEL = 'ResponseRevision';

/**
 * One revision of a stored Response: the whole record as it is after the `rev`-th change
 * (0 = as inserted). The newest revision is the record; a tombstone (`deleted`) marks it
 * deleted. Changes are inserts, never updates: FerretDB does not apply concurrent conditional
 * updates of one document atomically (see README, queue "Limits"), but a unique insert is
 * atomic there too, so of concurrent changes from one revision exactly one is stored.
 * JSON fields are `unknown` (mongoose's types do not terminate on the recursive JSON types).
 */
export type ResponseRevisionDoc = Omit<
  StoredResponse,
  'body' | 'input_items' | 'context' | 'request'
> & {
  /** `revisionKey(org_id, id, rev)`: the unique key that makes one change win. */
  _id: string;
  rev: number;
  deleted: boolean;
  body: unknown;
  input_items: unknown;
  context: unknown;
  request: unknown;
};

/** Org, id and revision as one `_id` (JSON, so no choice of ids can make two collide). */
export const revisionKey = (orgId: string, id: string, rev: number): string =>
  JSON.stringify([orgId, id, rev]);

/** `response_revisions` collection. */
export const ResponseRevisionSchema = new Schema<ResponseRevisionDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    id: { type: String, required: true },
    rev: { type: Number, required: true },
    deleted: { type: Boolean, required: true },
    status: { type: String, enum: RESPONSE_STATUSES, required: true },
    body: { type: Schema.Types.Mixed, required: true },
    input_items: { type: Schema.Types.Mixed, required: true },
    context: { type: Schema.Types.Mixed, required: true },
    previous_response_id: { type: String, default: null },
    conversation_id: { type: String, default: null },
    background: { type: Boolean, required: true },
    request: { type: Schema.Types.Mixed, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'response_revisions', versionKey: false, minimize: false, strict: 'throw' },
);

// The newest revision of a response in an org (every read), unique like the `_id` it mirrors.
ResponseRevisionSchema.index({ org_id: 1, id: 1, rev: -1 }, { unique: true });
