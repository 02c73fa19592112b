import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsZonedDateTime } from './zoned-date-time';

const SCOPE_PATTERN = /^[a-z][a-z0-9:._-]{0,63}$/;
const USER_ID_PATTERN = /^[A-Za-z0-9._:@|-]{1,128}$/;

export class ApiKeyRateLimitDto {
  @ApiProperty({
    example: 120,
    minimum: 1,
    maximum: 1_000_000,
    description: 'Requests per minute for this key, instead of the per-user limit',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  per_minute!: number;
}

/** `POST /api/v1/api-keys`. */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing-service (prod)', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['admin'],
    description:
      'Scopes the key carries (e.g. admin); none by default. Only scopes the caller holds (403 otherwise); ' +
      'never a deployment-wide `deployment:*` scope (400)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(SCOPE_PATTERN, {
    each: true,
    message: 'each scope must be 1-64 characters: lowercase letters, digits, : . _ -',
  })
  scopes?: string[];

  @ApiPropertyOptional({
    example: 'user-1',
    description:
      "The user the key acts as is always the caller. Accepted only as the caller's own id (403 " +
      'otherwise), so older clients that send it keep working',
  })
  @IsOptional()
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'user_id must be 1-128 characters without spaces' })
  user_id?: string;

  @ApiPropertyOptional({ type: ApiKeyRateLimitDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApiKeyRateLimitDto)
  rate_limit?: ApiKeyRateLimitDto | null;

  @ApiPropertyOptional({
    example: '2030-01-01T00:00:00Z',
    nullable: true,
    format: 'date-time',
    description:
      'When the key stops working: ISO 8601 with a time zone (400 without); never by default',
  })
  @IsOptional()
  @IsZonedDateTime('expires_at')
  expires_at?: string | null;
}

/**
 * `PATCH /api/v1/api-keys/:id`: only the fields sent change; null clears a limit or expiry. No
 * `user_id`: who a key acts as never changes.
 */
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @ValidateIf((_o: UpdateApiKeyDto, v: unknown) => v !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Only scopes the caller holds (403 otherwise); never `deployment:*` (400)',
  })
  @ValidateIf((_o: UpdateApiKeyDto, v: unknown) => v !== undefined)
  @IsArray()
  @ArrayMaxSize(32)
  @Matches(SCOPE_PATTERN, {
    each: true,
    message: 'each scope must be 1-64 characters: lowercase letters, digits, : . _ -',
  })
  scopes?: string[];

  @ApiPropertyOptional({ type: ApiKeyRateLimitDto, nullable: true })
  @ValidateIf((_o: UpdateApiKeyDto, v: unknown) => v !== undefined && v !== null)
  @ValidateNested()
  @Type(() => ApiKeyRateLimitDto)
  rate_limit?: ApiKeyRateLimitDto | null;

  @ApiPropertyOptional({
    example: '2030-01-01T00:00:00Z',
    nullable: true,
    format: 'date-time',
    description: 'ISO 8601 with a time zone (400 without); null = never expires',
  })
  @ValidateIf((_o: UpdateApiKeyDto, v: unknown) => v !== undefined && v !== null)
  @IsZonedDateTime('expires_at')
  expires_at?: string | null;
}
