import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from '../errors/error-code';

/**
 * The three error bodies the gateway answers in (see filters/error-envelope.ts), as Swagger
 * components: one schema per format, referenced by every operation's 4xx responses.
 */

export class GatewayErrorDetailDto {
  @ApiProperty({ enum: ErrorCode, example: ErrorCode.VALIDATION_FAILED })
  code!: ErrorCode;
  @ApiProperty({ example: 'name should not be empty' }) message!: string;
  @ApiPropertyOptional({ description: 'Per-field validation messages and similar context' })
  details?: unknown;
  @ApiProperty({ example: 'b3f1c2d4-9a1e-4c55-8f0e-2d7c1a6b9e01', description: 'x-request-id' })
  request_id!: string;
}

/** DESIGN's envelope on every route but the OpenAI- and Anthropic-compatible ones. */
export class GatewayErrorDto {
  @ApiProperty({ enum: [false] }) success!: false;
  @ApiProperty({ type: GatewayErrorDetailDto }) error!: GatewayErrorDetailDto;
}

export class OpenAiErrorDetailDto {
  @ApiProperty({ example: 'model is required' }) message!: string;
  @ApiProperty({
    example: 'invalid_request_error',
    description:
      'invalid_request_error, authentication_error, permission_error, not_found_error, conflict_error, rate_limit_error',
  })
  type!: string;
  @ApiProperty({ type: String, nullable: true, example: 'model' }) param!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'validation_failed' })
  code!: string | null;
  @ApiProperty({ example: 'b3f1c2d4-9a1e-4c55-8f0e-2d7c1a6b9e01', description: 'x-request-id' })
  request_id!: string;
}

/** OpenAI's error shape (so the SDKs raise their usual classes), on the /v1 routes. */
export class OpenAiErrorDto {
  @ApiProperty({ type: OpenAiErrorDetailDto }) error!: OpenAiErrorDetailDto;
}

export class AnthropicErrorDetailDto {
  @ApiProperty({
    enum: [
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'overloaded_error',
    ],
    example: 'invalid_request_error',
  })
  type!: string;
  @ApiProperty({ example: 'max_tokens must be an integer number' }) message!: string;
}

/** Anthropic's error body, on every /v1/messages route. */
export class AnthropicErrorDto {
  @ApiProperty({ enum: ['error'] }) type!: 'error';
  @ApiProperty({ type: AnthropicErrorDetailDto }) error!: AnthropicErrorDetailDto;
  @ApiProperty({ example: 'b3f1c2d4-9a1e-4c55-8f0e-2d7c1a6b9e01', description: 'x-request-id' })
  request_id!: string;
}

export type ErrorFormat = 'gateway' | 'openai' | 'anthropic';

export const ERROR_SCHEMAS = {
  gateway: GatewayErrorDto,
  openai: OpenAiErrorDto,
  anthropic: AnthropicErrorDto,
} as const;
