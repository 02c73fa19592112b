import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { OrgSettings } from '../org-settings.types';

/** `org_settings` table (created by config-watcher's migration `ConfigWatcher1795708800000`); one row per org. */
@Entity({ name: 'org_settings' })
@Index('org_settings_org_uq', ['org_id'], { unique: true })
export class OrgSettingsEntity implements OrgSettings {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'org_settings_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text', nullable: true })
  error_webhook_url!: string | null;

  @Column({ type: 'text', nullable: true })
  error_webhook_secret_sealed!: string | null;

  @Column({ type: 'text', nullable: true })
  error_webhook_secret_hint!: string | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
