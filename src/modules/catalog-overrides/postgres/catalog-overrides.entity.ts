import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CatalogOverrides } from '../../providers';

/** `catalog_overrides` table (config-watcher migration): a single row, `id = 'catalog'`. */
@Entity({ name: 'catalog_overrides' })
export class CatalogOverridesEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'catalog_overrides_pkey' })
  id!: string;

  @Column({ type: 'jsonb' })
  overrides!: CatalogOverrides;

  @Column({ type: 'text' })
  updated_by!: string;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
