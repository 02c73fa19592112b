import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StoredConversation } from '../response-record';

/** `conversation_records` table: a conversation's metadata; primary key (org, id). */
@Entity({ name: 'conversation_records' })
export class ConversationRecordEntity implements StoredConversation {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'conversation_records_pkey' })
  org_id!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'conversation_records_pkey' })
  id!: string;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  @Column({ type: 'timestamptz' })
  created_at!: Date;
}
