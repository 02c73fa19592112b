import type { Connection, Model } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import type { CatalogOverrides } from '../../providers';
import type { CatalogOverridesRepository } from '../catalog-overrides.repository';
import { CATALOG_OVERRIDES_ID, type StoredCatalogOverrides } from '../catalog-overrides.types';
import {
  CATALOG_OVERRIDES_MODEL,
  CatalogOverridesSchema,
  type CatalogOverridesDoc,
} from './catalog-overrides.schema';

export class MongoCatalogOverridesRepository implements CatalogOverridesRepository {
  private readonly model: Model<CatalogOverridesDoc>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, CATALOG_OVERRIDES_MODEL, CatalogOverridesSchema);
  }

  async get(): Promise<StoredCatalogOverrides | undefined> {
    const doc = await this.model.findById(CATALOG_OVERRIDES_ID).lean<CatalogOverridesDoc>();
    return doc ? fromDoc(doc) : undefined;
  }

  async put(overrides: CatalogOverrides, updatedBy: string): Promise<StoredCatalogOverrides> {
    const now = new Date();
    const doc = await this.model
      .findOneAndUpdate(
        { _id: CATALOG_OVERRIDES_ID },
        {
          $set: {
            overrides_json: JSON.stringify(overrides),
            updated_by: updatedBy,
            updated_at: now,
          },
          $setOnInsert: { created_at: now },
        },
        { upsert: true, new: true },
      )
      .lean<CatalogOverridesDoc>();
    if (!doc) throw new Error('catalog overrides upsert returned no document');
    return fromDoc(doc);
  }
}

function fromDoc(doc: CatalogOverridesDoc): StoredCatalogOverrides {
  return {
    id: CATALOG_OVERRIDES_ID,
    overrides: JSON.parse(doc.overrides_json) as CatalogOverrides,
    updated_by: doc.updated_by,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
  };
}
