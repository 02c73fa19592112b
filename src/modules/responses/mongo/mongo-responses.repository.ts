import type { Connection, Model } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { fromMongoKeys, toMongoKeys } from '../../../infra/document-store/mongo-keys';
import { storableStrings } from '../../../infra/document-store/storable';
import {
  conflictOnDuplicate,
  isUniqueViolation,
} from '../../../infra/document-store/unique-violation';
import type { ChatMessage } from '../../providers';
import type { ResponsePatch, ResponseStatus, StoredResponse } from '../response-record';
import { existsMessage, responseExists, type ResponsesRepository } from '../responses.repository';
import {
  RESPONSE_REVISION_MODEL,
  ResponseRevisionSchema,
  revisionKey,
  type ResponseRevisionDoc,
} from './response-revision.schema';

/**
 * A change lost to a concurrent one is re-evaluated against the winner's revision; each loss
 * means another change was stored, so this bound is only reached under a storm of writes to
 * one response, never by a stuck one.
 */
const MAX_CHANGE_ATTEMPTS = 50;

/**
 * Stored Responses in MongoDB (or FerretDB) as a short chain of revisions: a change reads the
 * newest revision, checks its condition there and inserts the next one; the unique revision
 * key lets exactly one of concurrent changes in. Older revisions are then deleted, so a
 * response holds one or two documents (a tombstone after delete).
 */
export class MongoResponsesRepository implements ResponsesRepository {
  private readonly model: Model<ResponseRevisionDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, RESPONSE_REVISION_MODEL, ResponseRevisionSchema);
  }

  async insert(r: StoredResponse): Promise<void> {
    // The unique index must exist before the first write relies on it.
    await this.model.init();
    // The next revision, not revision 0: after an update revision 0 is gone, and after a
    // delete the tombstone must be overtaken for the new record to be the newest.
    const latest = await this.latest(r.org_id, r.id);
    if (latest && !latest.deleted) throw responseExists(r.id);
    const rev = latest ? latest.rev + 1 : 0;
    await conflictOnDuplicate(() => this.model.create(toDoc(r, rev, false)), existsMessage(r.id));
  }

  async get(orgId: string, id: string): Promise<StoredResponse | null> {
    const doc = await this.latest(orgId, id);
    return doc && !doc.deleted ? fromDoc(doc) : null;
  }

  update(
    orgId: string,
    id: string,
    patch: ResponsePatch,
    onlyIfStatusIn?: ResponseStatus[],
  ): Promise<StoredResponse | null> {
    return this.change(orgId, id, (current) => {
      if (onlyIfStatusIn !== undefined && !onlyIfStatusIn.includes(current.status)) return null;
      const next: StoredResponse = { ...current, updated_at: new Date() };
      if (patch.status !== undefined) next.status = patch.status;
      if (patch.body !== undefined) next.body = patch.body;
      if (patch.context !== undefined) next.context = patch.context;
      return { record: next, deleted: false };
    });
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    // A tombstone, not a deleteMany: a change that read the record before the delete then
    // collides with it instead of bringing the response back.
    const gone = await this.change(orgId, id, (current) => ({
      record: { ...current, body: {}, input_items: [], context: [], request: null },
      deleted: true,
    }));
    return gone !== null;
  }

  /**
   * Inserts the revision after the newest one, as `decide` makes it from the current record
   * (null = no change). Returns the stored record, or null when there is none or no change.
   */
  private async change(
    orgId: string,
    id: string,
    decide: (current: StoredResponse) => { record: StoredResponse; deleted: boolean } | null,
  ): Promise<StoredResponse | null> {
    await this.model.init();
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      const latest = await this.latest(orgId, id);
      if (!latest || latest.deleted) return null;
      const next = decide(fromDoc(latest));
      if (next === null) return null;
      const rev = latest.rev + 1;
      const doc = toDoc(next.record, rev, next.deleted);
      try {
        await this.model.create(doc);
      } catch (e) {
        if (isUniqueViolation(e)) continue;
        throw e;
      }
      await this.model.deleteMany({ org_id: orgId, id, rev: { $lt: rev } });
      // As stored (NUL replaced), the same as a read and as the Postgres adapter answers.
      return fromDoc(doc);
    }
    throw new Error(`response ${id}: gave up after ${MAX_CHANGE_ATTEMPTS} concurrent changes`);
  }

  private latest(orgId: string, id: string): Promise<ResponseRevisionDoc | null> {
    return this.model
      .findOne({ org_id: orgId, id })
      .sort({ rev: -1 })
      .lean<ResponseRevisionDoc>()
      .exec();
  }
}

/**
 * Record -> revision. JSON keys a document may not hold (`$ref` in a JSON schema, dotted
 * metadata keys) are escaped, and NUL in model output is replaced (FerretDB refuses it).
 */
function toDoc(r: StoredResponse, rev: number, deleted: boolean): ResponseRevisionDoc {
  return {
    _id: revisionKey(r.org_id, r.id, rev),
    rev,
    deleted,
    id: r.id,
    org_id: r.org_id,
    status: r.status,
    body: storableStrings(toMongoKeys(r.body)),
    input_items: storableStrings(toMongoKeys(r.input_items)),
    context: storableStrings(toMongoKeys(r.context)),
    previous_response_id: r.previous_response_id,
    conversation_id: r.conversation_id,
    background: r.background,
    request: storableStrings(toMongoKeys(r.request)),
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

function fromDoc(d: ResponseRevisionDoc): StoredResponse {
  return {
    id: d.id,
    org_id: d.org_id,
    status: d.status,
    body: fromMongoKeys(d.body) as Record<string, unknown>,
    input_items: fromMongoKeys(d.input_items) as Record<string, unknown>[],
    context: fromMongoKeys(d.context) as ChatMessage[],
    previous_response_id: d.previous_response_id ?? null,
    conversation_id: d.conversation_id ?? null,
    background: d.background,
    request: (fromMongoKeys(d.request) as Record<string, unknown> | null) ?? null,
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}
