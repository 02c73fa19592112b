import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CallLog, CallOutcome, CallRequestSummary } from '../call-log.types';

/** `call_logs` table: one row per completion; read newest first, per org, agent or thread. */
@Entity({ name: 'call_logs' })
@Check('call_logs_outcome_ck', `"outcome" IN ('success', 'error')`)
@Index('call_logs_org_created_idx', ['org_id', 'created_at', 'id'])
@Index('call_logs_org_agent_created_idx', ['org_id', 'agent_id', 'created_at', 'id'])
@Index('call_logs_org_thread_created_idx', ['org_id', 'thread_id', 'created_at', 'id'])
export class CallLogEntity implements CallLog {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'call_logs_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text', nullable: true })
  user_id!: string | null;

  @Column({ type: 'text', nullable: true })
  agent_id!: string | null;

  @Column({ type: 'text', nullable: true })
  thread_id!: string | null;

  @Column({ type: 'text', nullable: true })
  request_id!: string | null;

  @Column({ type: 'text' })
  service!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'jsonb' })
  request!: CallRequestSummary;

  @Column({ type: 'text' })
  outcome!: CallOutcome;

  @Column({ type: 'boolean' })
  cached!: boolean;

  @Column({ type: 'integer' })
  latency_ms!: number;

  @Column({ type: 'integer' })
  input_tokens!: number;

  @Column({ type: 'integer' })
  output_tokens!: number;

  @Column({ type: 'integer' })
  total_tokens!: number;

  @Column({ type: 'integer' })
  cached_tokens!: number;

  @Column({ type: 'double precision', nullable: true })
  cost_usd!: number | null;

  @Column({ type: 'text', nullable: true })
  error_code!: string | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;
}
