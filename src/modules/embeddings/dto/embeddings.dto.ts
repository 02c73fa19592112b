import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Most inputs in one request, as OpenAI documents it. */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * OpenAI's `POST /v1/embeddings` request. `input` has four shapes (a string, strings, a token
 * array, token arrays), which class-validator cannot express: it is checked by
 * `embeddingInputProblem` with a message naming what is wrong.
 */
export class EmbeddingsRequestDto {
  @ApiProperty({ example: 'openai/text-embedding-3-small', description: '`<service>/<model>`' })
  @IsString()
  @MaxLength(256)
  model!: string;

  @ApiProperty({
    description: `A string, up to ${MAX_EMBEDDING_INPUTS} strings, or token arrays (number[] / number[][]); never empty`,
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
    ],
    example: ['The food was delicious', 'The waiter was friendly'],
  })
  @Allow()
  input!: string | string[] | number[] | number[][];

  @ApiPropertyOptional({
    enum: ['float', 'base64'],
    default: 'float',
    description:
      'base64: each vector as little-endian float32 bytes (what the openai SDK asks for)',
  })
  @IsOptional()
  @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional({ description: 'Shorter vectors, for models that support it', example: 256 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65536)
  dimensions?: number;

  @ApiPropertyOptional({ description: 'End-user id, forwarded where the service accepts one' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;
}

export class EmbeddingDto {
  @ApiProperty({ enum: ['embedding'] })
  object!: 'embedding';
  @ApiProperty()
  index!: number;
  @ApiProperty({
    oneOf: [
      { type: 'array', items: { type: 'number' } },
      { type: 'string', format: 'byte' },
    ],
    description: 'Floats, or base64 of little-endian float32 with encoding_format "base64"',
  })
  embedding!: number[] | string;
}

export class EmbeddingsUsageDto {
  @ApiProperty()
  prompt_tokens!: number;
  @ApiProperty()
  total_tokens!: number;
}

export class EmbeddingsResponseDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';
  @ApiProperty({ type: [EmbeddingDto] })
  data!: EmbeddingDto[];
  @ApiProperty({ example: 'openai/text-embedding-3-small' })
  model!: string;
  @ApiProperty({ type: EmbeddingsUsageDto })
  usage!: EmbeddingsUsageDto;
}
