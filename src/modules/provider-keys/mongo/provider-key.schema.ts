import { Schema } from 'mongoose';
import type { MongoDoc } from '../../../infra/document-store/mongo-org-store';
import { SERVICES } from '../../providers';
import type { StoredProviderKey } from '../provider-key.types';

export const PROVIDER_KEY_MODEL = 'ProviderKey';

export const ProviderKeySchema = new Schema<MongoDoc<StoredProviderKey>>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    service: { type: String, enum: SERVICES, required: true },
    key_sealed: { type: String, required: true },
    masked_key: { type: String, required: true },
    base_url: { type: String, default: null },
    weight: { type: Number, default: 1, min: 1, max: 1000 },
    name: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'provider_keys', versionKey: false, strict: 'throw' },
);

// Several keys per org and service (a weighted pool), read in order by the resolve lookup; the
// index of the one-key-per-service days (`org_id_1_service_1`, unique) is dropped by the
// repository before its first write. Lists page by (created_at, _id).
ProviderKeySchema.index({ org_id: 1, service: 1, created_at: 1 });
ProviderKeySchema.index({ org_id: 1, created_at: 1, _id: 1 });
