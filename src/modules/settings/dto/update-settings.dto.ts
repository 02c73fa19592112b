import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

/**
 * `PUT /api/v1/settings`. Fields left out keep their stored value; `null` clears one. Setting a
 * URL when no secret exists yet generates one, returned once in this response.
 */
export class UpdateSettingsDto {
  @ApiPropertyOptional({
    example: 'https://ops.example.com/hooks/gateway-errors',
    nullable: true,
    description:
      "Receives this org's error events (5xx and provider failures), signed with the secret. null removes it (and its secret).",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'error_webhook_url must be an http(s) URL' },
  )
  error_webhook_url?: string | null;

  @ApiPropertyOptional({
    example: 'whsec_my-own-signing-secret-0123456789',
    writeOnly: true,
    description:
      'Your own signing secret (16-256 characters). Omit it to have one generated; it is stored encrypted and only a hint is shown afterwards.',
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  @Matches(/^\S+$/, { message: 'error_webhook_secret must not contain whitespace' })
  error_webhook_secret?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'Generate a new signing secret (returned once); the old one stops working.',
  })
  @IsOptional()
  @IsBoolean()
  rotate_error_webhook_secret?: boolean;
}
