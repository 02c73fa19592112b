import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ServiceName } from '../../providers';
import type { Agent, AgentFallback, AgentRateLimit } from '../agent.types';

/** `agents` table; its schema is created by the document-store migration, never synchronised. */
@Entity({ name: 'agents' })
@Index('agents_org_name_uq', ['org_id', 'name'], { unique: true })
@Index('agents_org_created_idx', ['org_id', 'created_at', 'id'])
export class AgentEntity implements Agent {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'agents_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  service!: ServiceName;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'text' })
  prompt!: string;

  @Column({ type: 'jsonb' })
  configuration!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  tool_ids!: string[];

  @Column({ type: 'jsonb' })
  fallbacks!: AgentFallback[];

  @Column({ type: 'integer', nullable: true })
  cache_ttl!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  rate_limit!: AgentRateLimit | null;

  @Column({ type: 'integer' })
  max_tool_iterations!: number;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
