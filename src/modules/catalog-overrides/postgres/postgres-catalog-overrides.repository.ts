import type { DataSource, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { CatalogOverrides } from '../../providers';
import type { CatalogOverridesRepository } from '../catalog-overrides.repository';
import { CATALOG_OVERRIDES_ID, type StoredCatalogOverrides } from '../catalog-overrides.types';
import { CatalogOverridesEntity } from './catalog-overrides.entity';

export class PostgresCatalogOverridesRepository implements CatalogOverridesRepository {
  private readonly repo: Repository<CatalogOverridesEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(CatalogOverridesEntity);
  }

  async get(): Promise<StoredCatalogOverrides | undefined> {
    const row = await this.repo.findOneBy({ id: CATALOG_OVERRIDES_ID });
    return row ? fromRow(row) : undefined;
  }

  async put(overrides: CatalogOverrides, updatedBy: string): Promise<StoredCatalogOverrides> {
    const now = new Date();
    await this.repo
      .createQueryBuilder()
      .insert()
      .values({
        id: CATALOG_OVERRIDES_ID,
        overrides,
        updated_by: updatedBy,
        created_at: now,
        updated_at: now,
      } as QueryDeepPartialEntity<CatalogOverridesEntity>)
      .orUpdate(['overrides', 'updated_by', 'updated_at'], ['id'])
      .execute();
    return fromRow(await this.repo.findOneByOrFail({ id: CATALOG_OVERRIDES_ID }));
  }
}

function fromRow(row: CatalogOverridesEntity): StoredCatalogOverrides {
  return {
    id: CATALOG_OVERRIDES_ID,
    overrides: row.overrides,
    updated_by: row.updated_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
