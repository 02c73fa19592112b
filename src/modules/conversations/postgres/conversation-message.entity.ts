import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ContentPart, ToolCall, Usage } from '../../providers';
import type { ConversationMessage, MessageRole } from '../conversation.types';

/**
 * `conversation_messages` table: one row per message, primary key (org, exchange, position).
 * The thread index serves both paging and "latest N" (scanned backwards).
 */
@Entity({ name: 'conversation_messages' })
@Index('conversation_messages_thread_idx', [
  'org_id',
  'thread_id',
  'sub_thread_id',
  'created_at',
  'exchange_id',
  'position',
])
@Check(
  'conversation_messages_role_ck',
  `"role" IN ('system', 'developer', 'user', 'assistant', 'tool')`,
)
export class ConversationMessageEntity implements Omit<ConversationMessage, 'id'> {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'conversation_messages_pkey' })
  org_id!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'conversation_messages_pkey' })
  exchange_id!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'conversation_messages_pkey' })
  position!: number;

  @Column({ type: 'text' })
  thread_id!: string;

  @Column({ type: 'text', nullable: true })
  sub_thread_id!: string | null;

  @Column({ type: 'text' })
  role!: MessageRole;

  @Column({ type: 'jsonb', nullable: true })
  content!: string | ContentPart[] | null;

  @Column({ type: 'jsonb', nullable: true })
  tool_calls!: ToolCall[] | null;

  @Column({ type: 'text', nullable: true })
  tool_call_id!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'text', nullable: true })
  service!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  usage!: Usage | null;

  @Column({ type: 'timestamptz' })
  created_at!: Date;
}
