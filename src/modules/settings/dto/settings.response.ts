import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `data` of GET/PUT /api/v1/settings. */
export class SettingsResponse {
  @ApiProperty({ example: 'org_acme' })
  org_id!: string;

  @ApiProperty({ example: 'https://ops.example.com/hooks/gateway-errors', nullable: true })
  error_webhook_url!: string | null;

  @ApiProperty({
    example: 'whsec_...9f2c',
    nullable: true,
    description: 'Which signing secret is in force; the secret itself is never shown again',
  })
  error_webhook_secret_hint!: string | null;

  @ApiPropertyOptional({
    example: 'whsec_4f1d0c2e9a7b44c6a0e1f3b2c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8',
    description:
      'Only in the PUT response that generated it: the HMAC key for `x-signature`. Store it now.',
  })
  error_webhook_secret?: string;

  @ApiProperty({ example: '2025-01-01T10:00:00.000Z', nullable: true })
  updated_at!: Date | null;
}
