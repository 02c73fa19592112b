import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { defineJsonValidator } from '../../../../../common/validation/validators';
import { isRecord } from '../../../../../common/validation/is-record';
import { SERVICES } from '../../../../providers';
import {
  CACHE_RETENTIONS,
  REASONING_EFFORTS,
  SERVICE_TIERS,
  VERBOSITIES,
} from '../../openai-chat/dto/openai-chat.dto';
import { MAX_MESSAGES } from '../../openai-chat/dto/message.dto';
import * as Field from '../../shared/dto-fields';

/** Input items one request may carry: as many as chat messages on /v1/chat/completions. */
export const MAX_INPUT_ITEMS = MAX_MESSAGES;
export const MAX_TOOLS = 128;
export const MAX_METADATA_KEYS = 16;
export const REASONING_SUMMARIES = ['auto', 'concise', 'detailed'] as const;
export const TRUNCATIONS = ['auto', 'disabled'] as const;

// `input`, `tools`, `tool_choice`, `text.format`, `conversation` and `prompt` are unions of
// shapes: they are checked for their outline here (kept as sent, out of class-transformer)
// and item by item in responses.request.ts / responses.items.ts, whose 400s name the exact
// element (`input[3].type`) and say which types this gateway supports.

const IsResponsesInput = () =>
  defineJsonValidator(
    'isResponsesInput',
    `must be a string or an array of at most ${MAX_INPUT_ITEMS} input items (objects)`,
    (v) =>
      typeof v === 'string' ||
      (Array.isArray(v) && v.length <= MAX_INPUT_ITEMS && v.every((i) => isRecord(i))),
  );

const IsToolList = () =>
  defineJsonValidator(
    'isToolList',
    `must be an array of at most ${MAX_TOOLS} tool objects`,
    (v) => Array.isArray(v) && v.length <= MAX_TOOLS && v.every((t) => isRecord(t)),
  );

const IsResponsesToolChoice = () =>
  defineJsonValidator(
    'isResponsesToolChoice',
    'must be "none", "auto", "required" or an object with a type',
    (v) =>
      v === 'none' ||
      v === 'auto' ||
      v === 'required' ||
      (isRecord(v) && typeof v.type === 'string'),
  );

const IsTextFormat = () =>
  defineJsonValidator(
    'isTextFormat',
    'must be an object with a type (text, json_object or json_schema)',
    (v) => isRecord(v) && typeof v.type === 'string',
  );

/** OpenAI's metadata: at most 16 pairs, keys up to 64 characters, string values up to 512. */
const IsMetadata = () =>
  defineJsonValidator(
    'isMetadata',
    `must be an object of at most ${MAX_METADATA_KEYS} string values (keys ≤ 64 characters, values ≤ 512)`,
    (v) =>
      isRecord(v) &&
      Object.keys(v).length <= MAX_METADATA_KEYS &&
      Object.entries(v).every(
        ([k, s]) => k.length <= 64 && typeof s === 'string' && s.length <= 512,
      ),
  );

const IsConversationRef = () =>
  defineJsonValidator(
    'isConversationRef',
    'must be a conversation id or {id}',
    (v) =>
      (typeof v === 'string' && v !== '' && v.length <= 256) ||
      (isRecord(v) && typeof v.id === 'string' && v.id !== '' && v.id.length <= 256),
  );

const IsPromptRef = () =>
  defineJsonValidator(
    'isPromptRef',
    'must be {id, variables?, version?} with a string id',
    (v) =>
      isRecord(v) &&
      typeof v.id === 'string' &&
      v.id !== '' &&
      v.id.length <= 256 &&
      (v.version === undefined || v.version === null || typeof v.version === 'string') &&
      (v.variables === undefined || v.variables === null || isRecord(v.variables)),
  );

const IsJsonObjectList = () =>
  defineJsonValidator(
    'isJsonObjectList',
    'must be an array of at most 16 objects',
    (v) => Array.isArray(v) && v.length <= 16 && v.every((i) => isRecord(i)),
  );

/** For Swagger: the one tool type this gateway supports. */
export class FunctionToolDto {
  @ApiProperty({ enum: ['function'] })
  type!: 'function';

  @ApiProperty({ example: 'get_weather', maxLength: 64 })
  name!: string;

  @ApiPropertyOptional({ example: 'Current weather for a city' })
  description?: string;

  @ApiPropertyOptional({
    example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  })
  parameters?: Record<string, unknown>;

  @ApiPropertyOptional({ nullable: true })
  strict?: boolean;
}

export class TextConfigDto {
  @ApiPropertyOptional({
    description:
      '`{type:"text"}` (default), `{type:"json_object"}` or `{type:"json_schema", name, schema, strict?, description?}`',
    example: {
      type: 'json_schema',
      name: 'answer',
      strict: true,
      schema: Field.ANSWER_SCHEMA_EXAMPLE,
    },
  })
  @IsOptional()
  @IsTextFormat()
  format?: Record<string, unknown>;

  @Field.OptionalOneOf(VERBOSITIES, { nullable: true })
  verbosity?: (typeof VERBOSITIES)[number];
}

export class ReasoningDto {
  @Field.OptionalOneOf(REASONING_EFFORTS, {
    nullable: true,
    description:
      'Sent as reasoning_effort to models whose catalog entry takes it; ignored elsewhere',
  })
  effort?: (typeof REASONING_EFFORTS)[number];

  @Field.OptionalOneOf(REASONING_SUMMARIES, { nullable: true, description: 'Accepted' })
  summary?: (typeof REASONING_SUMMARIES)[number];

  @Field.OptionalOneOf(REASONING_SUMMARIES, {
    nullable: true,
    deprecated: true,
    description: 'Older name of summary; accepted',
  })
  generate_summary?: (typeof REASONING_SUMMARIES)[number];
}

export class ResponsesStreamOptionsDto {
  @Field.OptionalBoolean({ description: 'Accepted; the gateway does not pad stream events' })
  include_obfuscation?: boolean;
}

/**
 * `POST /v1/responses`: OpenAI's `ResponseCreateParams`. Every documented field is declared,
 * as the global ValidationPipe refuses unknown ones: the official SDK must never get a 400
 * for a field it may send.
 */
export class OpenAiResponsesDto {
  @ApiPropertyOptional({
    example: 'openai/gpt-4o-mini',
    description: `\`<service>/<model>\` (${SERVICES.join(', ')}), a bare id the catalog lists, or \`agent/<agent_id>\`. Required unless \`prompt\` is given`,
  })
  // Optional only when a stored prompt (which names its model) is referenced.
  @ValidateIf((o: OpenAiResponsesDto) => o.prompt === undefined || o.prompt === null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  model?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
    description:
      'A user message as a string, or input items: messages (`role` user/system/developer/assistant, content a string or `input_text`/`input_image`/`output_text` parts), `function_call` and `function_call_output` items; `reasoning` items are ignored',
    example: 'Tell me a three sentence bedtime story about a unicorn.',
  })
  @IsOptional()
  @IsResponsesInput()
  input?: string | Array<Record<string, unknown>>;

  @Field.OptionalString({ nullable: true, description: 'A system message put first' })
  instructions?: string;

  @ApiPropertyOptional({
    type: [FunctionToolDto],
    maxItems: MAX_TOOLS,
    description:
      'Function tools (run by the client), or the gateway\'s `{type: "stored_tool", tool_id}` (an org\'s stored tool, run by the gateway); hosted tools (web_search, file_search, ...) are refused',
  })
  @IsOptional()
  @IsToolList()
  tools?: Array<Record<string, unknown>>;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'string', enum: ['none', 'auto', 'required'] },
      {
        type: 'object',
        properties: { type: { type: 'string', enum: ['function'] }, name: { type: 'string' } },
      },
    ],
  })
  @IsOptional()
  @IsResponsesToolChoice()
  tool_choice?: string | Record<string, unknown>;

  @Field.OptionalBoolean({ nullable: true })
  parallel_tool_calls?: boolean;

  @Field.OptionalNested(TextConfigDto)
  text?: TextConfigDto;

  @Field.OptionalIntFrom(1, { nullable: true, example: 256 })
  max_output_tokens?: number;

  @Field.OptionalNumberIn(0, 2, { nullable: true })
  temperature?: number;

  @Field.OptionalNumberIn(0, 1, { nullable: true })
  top_p?: number;

  @Field.OptionalNested(ReasoningDto, { nullable: true })
  reasoning?: ReasoningDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description: 'Up to 16 string key-value pairs, echoed on the response',
  })
  @IsOptional()
  @IsMetadata()
  metadata?: Record<string, string>;

  @Field.OptionalBoolean({
    default: true,
    nullable: true,
    description: 'Keep the response for later retrieval',
  })
  store?: boolean;

  @Field.OptionalBoolean({ default: false, nullable: true })
  stream?: boolean;

  @Field.OptionalNested(ResponsesStreamOptionsDto, { nullable: true })
  stream_options?: ResponsesStreamOptionsDto;

  @Field.OptionalBoolean({ default: false, nullable: true, description: 'Run in the background' })
  background?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    example: 'resp_123',
    description: 'Continue from a stored response',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  previous_response_id?: string;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'object', properties: { id: { type: 'string' } } }],
    nullable: true,
    description: 'The conversation this response belongs to',
  })
  @IsOptional()
  @IsConversationRef()
  conversation?: string | { id: string };

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    properties: {
      id: { type: 'string' },
      version: { type: 'string' },
      variables: { type: 'object', additionalProperties: true },
    },
    description: 'A stored prompt template and its variables',
  })
  @IsOptional()
  @IsPromptRef()
  prompt?: { id: string; variables?: Record<string, unknown> | null; version?: string | null };

  @Field.OptionalStringUpTo(256, {
    description: 'End-user id, forwarded where the service accepts one',
  })
  user?: string;

  @Field.OptionalStringUpTo(256, { description: 'Stable hashed end-user id for abuse detection' })
  safety_identifier?: string;

  @Field.OptionalStringUpTo(1024, { description: 'Groups requests for prompt caching' })
  prompt_cache_key?: string;

  @Field.OptionalOneOf(CACHE_RETENTIONS, { nullable: true })
  prompt_cache_retention?: (typeof CACHE_RETENTIONS)[number];

  @Field.OptionalOneOf(SERVICE_TIERS, { nullable: true })
  service_tier?: (typeof SERVICE_TIERS)[number];

  @Field.OptionalOneOf(TRUNCATIONS, { nullable: true, description: 'Accepted' })
  truncation?: (typeof TRUNCATIONS)[number];

  @ApiPropertyOptional({ type: [String], nullable: true, description: 'Accepted' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  include?: string[];

  @Field.OptionalIntIn(0, 20, { nullable: true, description: 'Accepted' })
  top_logprobs?: number;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object' },
    nullable: true,
    description: 'Accepted',
  })
  @IsOptional()
  @IsJsonObjectList()
  context_management?: Array<Record<string, unknown>>;
}
