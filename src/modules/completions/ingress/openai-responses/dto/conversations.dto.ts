import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { isRecord } from '../../../../../common/validation/is-record';
import { defineJsonValidator } from '../../../../../common/validation/validators';

const MAX_ITEMS = 20;
const MAX_METADATA_KEYS = 16;

/** OpenAI's metadata: at most 16 pairs, keys up to 64 characters, string values up to 512. */
const IsMetadata = () =>
  defineJsonValidator(
    'isMetadata',
    `must be an object of at most ${MAX_METADATA_KEYS} string values (keys ≤ 64 characters, values ≤ 512)`,
    (v) =>
      v === null ||
      (isRecord(v) &&
        Object.keys(v).length <= MAX_METADATA_KEYS &&
        Object.entries(v).every(
          ([k, s]) => k.length <= 64 && typeof s === 'string' && s.length <= 512,
        )),
  );

/** Input items, kept as sent (each is checked when translated, with its index in errors). */
const IsItemList = () =>
  defineJsonValidator(
    'isItemList',
    `must be an array of at most ${MAX_ITEMS} item objects`,
    (v) => Array.isArray(v) && v.length <= MAX_ITEMS && v.every((i) => isRecord(i)),
  );

/** Items a conversation is created with or given (Responses input items), at most 20 a call. */
const ITEMS_DOC = {
  type: 'array',
  items: { type: 'object', additionalProperties: true },
  description:
    'Responses input items: `message` (roles user, assistant, system, developer), ' +
    '`function_call` and `function_call_output`; at most 20',
  example: [{ type: 'message', role: 'user', content: 'Hello!' }],
} as const;

export class CreateConversationDto {
  @ApiPropertyOptional(ITEMS_DOC)
  @IsOptional()
  @IsItemList()
  items?: unknown[] | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Up to 16 string pairs (keys ≤ 64, values ≤ 512 characters)',
    example: { topic: 'demo' },
  })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string> | null;
}

export class UpdateConversationDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { topic: 'renamed' },
  })
  @IsOptional()
  @IsMetadata()
  metadata!: Record<string, string> | null;
}

export class AddConversationItemsDto {
  @ApiProperty(ITEMS_DOC)
  @IsItemList()
  items!: unknown[];
}

export class ConversationDto {
  @ApiProperty({ example: 'conv_0123456789abcdefghijkl' })
  id!: string;

  @ApiProperty({ enum: ['conversation'] })
  object!: 'conversation';

  @ApiProperty({ description: 'Unix seconds' })
  created_at!: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata!: Record<string, string>;
}

export class ConversationDeletedDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['conversation.deleted'] })
  object!: 'conversation.deleted';

  @ApiProperty()
  deleted!: boolean;
}
