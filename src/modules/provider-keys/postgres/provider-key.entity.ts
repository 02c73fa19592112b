import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ServiceName } from '../../providers';
import type { StoredProviderKey } from '../provider-key.types';

/** `provider_keys` table; the key is only stored sealed. */
@Entity({ name: 'provider_keys' })
// Several keys per org and service (a weighted pool); the resolve lookup reads them in order.
@Index('provider_keys_org_service_idx', ['org_id', 'service', 'created_at'])
@Index('provider_keys_org_created_idx', ['org_id', 'created_at', 'id'])
export class ProviderKeyEntity implements StoredProviderKey {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'provider_keys_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text' })
  service!: ServiceName;

  @Column({ type: 'text' })
  key_sealed!: string;

  @Column({ type: 'text' })
  masked_key!: string;

  @Column({ type: 'text', nullable: true })
  base_url!: string | null;

  @Column({ type: 'integer', default: 1 })
  weight!: number;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
