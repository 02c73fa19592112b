import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChatMessage } from '../../providers';
import type { ResponseStatus, StoredResponse } from '../response-record';

/**
 * `responses` table: one row per stored Response, primary key (org, id), which serves every
 * lookup. Status changes are conditional UPDATEs on the row (see PostgresResponsesRepository).
 */
@Entity({ name: 'responses' })
@Check(
  'responses_status_ck',
  `"status" IN ('queued', 'in_progress', 'completed', 'failed', 'cancelled', 'incomplete')`,
)
export class ResponseEntity implements StoredResponse {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'responses_pkey' })
  org_id!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'responses_pkey' })
  id!: string;

  @Column({ type: 'text' })
  status!: ResponseStatus;

  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  input_items!: Record<string, unknown>[];

  @Column({ type: 'jsonb' })
  context!: ChatMessage[];

  @Column({ type: 'text', nullable: true })
  previous_response_id!: string | null;

  @Column({ type: 'text', nullable: true })
  conversation_id!: string | null;

  @Column({ type: 'boolean' })
  background!: boolean;

  @Column({ type: 'jsonb', nullable: true })
  request!: Record<string, unknown> | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
