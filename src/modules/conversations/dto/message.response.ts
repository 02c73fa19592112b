import { ApiProperty } from '@nestjs/swagger';
import type { ContentPart, ToolCall, Usage } from '../../providers';
import { MESSAGE_ROLES, type ConversationMessage, type MessageRole } from '../conversation.types';

/** A stored message as the API returns it (Swagger model). */
export class MessageResponse implements ConversationMessage {
  @ApiProperty({ example: 'xch_3q2JXhN0v8S2aLr1m9BzQw:0' }) id!: string;
  @ApiProperty({ example: 'org-1' }) org_id!: string;
  @ApiProperty({ example: 'thread-42' }) thread_id!: string;
  @ApiProperty({ type: String, nullable: true }) sub_thread_id!: string | null;
  @ApiProperty({ description: 'Messages of one exchange were stored together' })
  exchange_id!: string;
  @ApiProperty({ description: 'Position in its exchange' }) position!: number;
  @ApiProperty({ enum: MESSAGE_ROLES }) role!: MessageRole;
  @ApiProperty({
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
  })
  content!: string | ContentPart[] | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, nullable: true })
  tool_calls!: ToolCall[] | null;
  @ApiProperty({ type: String, nullable: true }) tool_call_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'gpt-4o-mini' }) model!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'openai' }) service!: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true })
  usage!: Usage | null;
  @ApiProperty() created_at!: Date;
}

export class ThreadDeletedResponse {
  @ApiProperty({ example: 'thread-42' }) thread_id!: string;
  @ApiProperty({ example: 12 }) deleted_messages!: number;
}
