import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ApiKey, ApiKeyRateLimit } from '../api-key.types';

/** `api_keys` table; created by the ApiKeys migration, never synchronised. */
@Entity({ name: 'api_keys' })
@Index('api_keys_key_hash_uq', ['key_hash'], { unique: true })
@Index('api_keys_org_created_idx', ['org_id', 'created_at', 'id'])
export class ApiKeyEntity implements ApiKey {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  user_id!: string;

  @Column({ type: 'text' })
  prefix!: string;

  @Column({ type: 'text' })
  key_hash!: string;

  @Column({ type: 'jsonb' })
  scopes!: string[];

  @Column({ type: 'jsonb', nullable: true })
  rate_limit!: ApiKeyRateLimit | null;

  @Column({ type: 'timestamptz', nullable: true })
  expires_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revoked_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  last_used_at!: Date | null;

  @Column({ type: 'text' })
  created_by!: string;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
