import { Schema } from 'mongoose';

export const CATALOG_OVERRIDES_MODEL = 'CatalogOverrides';

/**
 * `catalog_overrides` collection: a single document, `_id: "catalog"`. The overrides are kept
 * as JSON text: model ids contain dots (`gpt-4.1`), which MongoDB-protocol servers refuse (or
 * mangle) as field names.
 */
export interface CatalogOverridesDoc {
  _id: string;
  overrides_json: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

export const CatalogOverridesSchema = new Schema<CatalogOverridesDoc>(
  {
    _id: { type: String, required: true },
    overrides_json: { type: String, required: true },
    updated_by: { type: String, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'catalog_overrides', versionKey: false, strict: 'throw' },
);
