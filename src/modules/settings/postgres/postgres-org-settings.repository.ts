import type { DataSource, Repository } from 'typeorm';
import { newId } from '../../../common/ids/new-id';
import type { OrgSettingsRepository } from '../org-settings.repository';
import {
  ORG_SETTINGS_ID_PREFIX,
  type OrgSettings,
  type OrgSettingsFields,
} from '../org-settings.types';
import { OrgSettingsEntity } from './org-settings.entity';

export class PostgresOrgSettingsRepository implements OrgSettingsRepository {
  private readonly repo: Repository<OrgSettingsEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(OrgSettingsEntity);
  }

  async get(orgId: string): Promise<OrgSettings | undefined> {
    const row = await this.repo.findOneBy({ org_id: orgId });
    return row ? { ...row } : undefined;
  }

  /** One statement: INSERT ... ON CONFLICT (org_id) DO UPDATE, so concurrent first writes agree. */
  async upsert(orgId: string, fields: OrgSettingsFields): Promise<OrgSettings> {
    const now = new Date();
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({
        id: newId(ORG_SETTINGS_ID_PREFIX),
        org_id: orgId,
        ...fields,
        created_at: now,
        updated_at: now,
      })
      .orUpdate(
        [
          'error_webhook_url',
          'error_webhook_secret_sealed',
          'error_webhook_secret_hint',
          'updated_at',
        ],
        ['org_id'],
      )
      .execute();
    const row = await this.repo.findOneByOrFail({ org_id: orgId });
    return { ...row };
  }
}
