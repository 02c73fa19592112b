import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobError, JobStatus } from '../job.types';

/**
 * `jobs` table; created by the Jobs migration, never synchronised. Mirrors JobRecord, except that
 * the JSON columns are `unknown` here: TypeORM's deep-partial types do not terminate on the
 * recursive JsonValue. The repository returns rows as JobRecord.
 */
@Entity({ name: 'jobs' })
@Check('jobs_status_ck', `"status" IN ('queued', 'running', 'completed', 'failed', 'dead')`)
@Index('jobs_org_idempotency_uq', ['org_id', 'idempotency_key'], { unique: true })
@Index('jobs_org_status_created_idx', ['org_id', 'status', 'created_at', 'id'])
@Index('jobs_status_id_idx', ['status', 'id'])
export class JobEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  status!: JobStatus;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'integer' })
  max_attempts!: number;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  result!: unknown;

  @Column({ type: 'jsonb', nullable: true })
  error!: JobError | null;

  @Column({ type: 'jsonb', nullable: true })
  last_error!: JobError | null;

  @Column({ type: 'text', nullable: true })
  idempotency_key!: string | null;

  @Column({ type: 'text', nullable: true })
  request_hash!: string | null;

  @Column({ type: 'text', nullable: true })
  lease_token!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lease_until!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  run_after!: Date | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  started_at!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finished_at!: Date | null;
}
