import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsPlainObject } from '../../../common/validation/validators';
import {
  DEFAULT_TOOL_TIMEOUT_MS,
  TOOL_METHODS,
  TOOL_NAME_PATTERN,
  type ToolMethod,
} from '../tool.types';
import { IsToolHeaders } from './tool-headers.validator';

/** `POST /api/v1/tools`. */
export class CreateToolDto {
  @ApiProperty({
    example: 'get_weather',
    description: 'Function name the model calls: 1-64 of a-z A-Z 0-9 _ -; unique in the org',
  })
  @IsString()
  @Matches(TOOL_NAME_PATTERN, {
    message: 'name must be 1-64 characters of letters, digits, _ or - (a valid function name)',
  })
  name!: string;

  @ApiPropertyOptional({ example: 'Current weather for a city', default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  @ApiPropertyOptional({
    description: 'JSON Schema of the arguments (an object schema)',
    example: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
    default: { type: 'object', properties: {} },
  })
  @IsOptional()
  @IsPlainObject()
  parameters?: Record<string, unknown>;

  @ApiProperty({ example: 'https://tools.example.com/weather' })
  @IsString()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http(s) URL' },
  )
  url!: string;

  @ApiPropertyOptional({ enum: TOOL_METHODS, default: 'POST' })
  @IsOptional()
  @IsIn(TOOL_METHODS)
  method?: ToolMethod;

  @ApiPropertyOptional({
    example: { authorization: 'Bearer tool-secret' },
    description: 'Sent with every call; stored encrypted and never returned (only the names are)',
    writeOnly: true,
  })
  @IsOptional()
  @IsToolHeaders()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ example: 5000, default: DEFAULT_TOOL_TIMEOUT_MS, minimum: 100 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeout_ms?: number;
}
