import type { Connection, Model } from 'mongoose';
import { newId } from '../../../common/ids/new-id';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { fromMongoDoc, type MongoDoc } from '../../../infra/document-store/mongo-org-store';
import { isUniqueViolation } from '../../../infra/document-store/unique-violation';
import type { OrgSettingsRepository } from '../org-settings.repository';
import {
  ORG_SETTINGS_ID_PREFIX,
  type OrgSettings,
  type OrgSettingsFields,
} from '../org-settings.types';
import { ORG_SETTINGS_MODEL, OrgSettingsSchema } from './org-settings.schema';

export class MongoOrgSettingsRepository implements OrgSettingsRepository {
  private readonly model: Model<MongoDoc<OrgSettings>>;

  constructor(connection: Connection) {
    this.model = modelOn(connection, ORG_SETTINGS_MODEL, OrgSettingsSchema);
  }

  async get(orgId: string): Promise<OrgSettings | undefined> {
    const doc = await this.model.findOne({ org_id: orgId }).lean<MongoDoc<OrgSettings>>();
    return doc ? fromMongoDoc(doc) : undefined;
  }

  async upsert(orgId: string, fields: OrgSettingsFields): Promise<OrgSettings> {
    await this.model.init();
    try {
      return await this.write(orgId, fields);
    } catch (e) {
      // Two first writes at once: the loser's insert hits the unique org index; it is an update now.
      if (!isUniqueViolation(e)) throw e;
      return this.write(orgId, fields);
    }
  }

  private async write(orgId: string, fields: OrgSettingsFields): Promise<OrgSettings> {
    const now = new Date();
    const doc = await this.model
      .findOneAndUpdate(
        { org_id: orgId },
        {
          $set: { ...fields, updated_at: now },
          $setOnInsert: { _id: newId(ORG_SETTINGS_ID_PREFIX), created_at: now },
        },
        { upsert: true, new: true, runValidators: true },
      )
      .lean<MongoDoc<OrgSettings>>();
    if (!doc) throw new Error('org settings upsert returned no document');
    return fromMongoDoc(doc);
  }
}
