import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsPlainObject, MaxKeys } from '../../../common/validation/validators';

/**
 * `PUT /api/v1/catalog-overrides`: the full set of overrides (not a delta), merged over the
 * versioned catalog: objects merge key by key, anything else replaces, `null` removes a model
 * or a parameter. `{}` removes every override.
 */
export class CatalogOverridesDto {
  @ApiPropertyOptional({ example: '2025-06-01+acme', description: 'Replaces the catalog version' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  version?: string;

  @ApiPropertyOptional({
    description:
      'Per service: models to add or change (partial entries merge), `null` to remove. A `pricing` sheet takes `input_per_mtok`, `output_per_mtok`, `cached_input_per_mtok`, `cache_write_per_mtok`, `cache_write_1h_per_mtok`, `reasoning_per_mtok` and `long_context` (`above_input_tokens` plus a full sheet)',
    example: {
      openai: {
        models: {
          'gpt-4o-mini': { pricing: { input_per_mtok: 0.1, output_per_mtok: 0.5 } },
          'gpt-3.5-turbo': null,
        },
      },
    },
  })
  @IsOptional()
  @IsPlainObject()
  @MaxKeys(64)
  services?: Record<string, unknown>;
}

/** `data` of GET/PUT /api/v1/catalog-overrides. */
export class CatalogOverridesResponse {
  @ApiProperty({ example: { services: { openai: { models: { 'gpt-3.5-turbo': null } } } } })
  overrides!: Record<string, unknown>;

  @ApiProperty({ example: 'ops-admin', nullable: true })
  updated_by!: string | null;

  @ApiProperty({ example: '2025-01-01T10:00:00.000Z', nullable: true })
  updated_at!: Date | null;

  @ApiProperty({ example: '2025-06-01', description: 'The catalog version now in force' })
  catalog_version!: string;
}
