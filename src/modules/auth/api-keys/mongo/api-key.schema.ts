import { Schema } from 'mongoose';
import type { MongoDoc } from '../../../../infra/document-store/mongo-org-store';
import type { ApiKey } from '../api-key.types';

export const API_KEY_MODEL = 'ApiKey';

/** `api_keys` collection. */
export const ApiKeySchema = new Schema<MongoDoc<ApiKey>>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    name: { type: String, required: true },
    user_id: { type: String, required: true },
    prefix: { type: String, required: true },
    key_hash: { type: String, required: true },
    scopes: { type: [String], default: [] },
    rate_limit: { type: Schema.Types.Mixed, default: null },
    expires_at: { type: Date, default: null },
    revoked_at: { type: Date, default: null },
    last_used_at: { type: Date, default: null },
    created_by: { type: String, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'api_keys', versionKey: false, minimize: false, strict: 'throw' },
);

// Authentication looks keys up by hash; lists page by (created_at, _id) within an org. Names are
// not unique on purpose: a rotated key usually shares its predecessor's name for a while.
ApiKeySchema.index({ key_hash: 1 }, { unique: true });
ApiKeySchema.index({ org_id: 1, created_at: 1, _id: 1 });
