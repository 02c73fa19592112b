import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `post_answer_outbox`: records of answered completions whose writes could not all be done
 * before the answer, kept until the outbox sweeper has written them. Created by the
 * PostAnswerOutbox migration, never synchronised.
 */
@Entity({ name: 'post_answer_outbox' })
@Index('post_answer_outbox_due_idx', ['next_attempt_at'])
export class PostAnswerOutboxEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'post_answer_outbox_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  /** The PostAnswerRecord as JSON. */
  @Column({ type: 'jsonb' })
  record!: unknown;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz' })
  next_attempt_at!: Date;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'text', nullable: true })
  last_error!: string | null;
}
