import { Schema } from 'mongoose';
import type { MongoDoc } from '../../../infra/document-store/mongo-org-store';
import type { OrgSettings } from '../org-settings.types';

export const ORG_SETTINGS_MODEL = 'OrgSettings';

/** `org_settings` collection: one document per org. */
export const OrgSettingsSchema = new Schema<MongoDoc<OrgSettings>>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    error_webhook_url: { type: String, default: null },
    error_webhook_secret_sealed: { type: String, default: null },
    error_webhook_secret_hint: { type: String, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'org_settings', versionKey: false, strict: 'throw' },
);

OrgSettingsSchema.index({ org_id: 1 }, { unique: true });
