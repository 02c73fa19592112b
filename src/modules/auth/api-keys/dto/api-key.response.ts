import { ApiProperty } from '@nestjs/swagger';
import { unusableReason, type ApiKey, type ApiKeyRateLimit } from '../api-key.types';
import { ApiKeyRateLimitDto } from './api-key.dto';

/** An API key as the API shows it: never the secret nor its hash. */
export class ApiKeyView {
  @ApiProperty({ example: 'key_V1StGXR8Z5jdHi6BmyT9aQ' }) id!: string;
  @ApiProperty({ example: 'org-1' }) org_id!: string;
  @ApiProperty({ example: 'billing-service (prod)' }) name!: string;
  @ApiProperty({ example: 'gw_AbC123xY', description: 'The first characters of the key' })
  prefix!: string;
  @ApiProperty({ example: 'svc-billing' }) user_id!: string;
  @ApiProperty({ type: [String], example: ['admin'] }) scopes!: string[];
  @ApiProperty({ type: ApiKeyRateLimitDto, nullable: true }) rate_limit!: ApiKeyRateLimit | null;
  @ApiProperty({ enum: ['active', 'revoked', 'expired'] }) status!:
    'active' | 'revoked' | 'expired';
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) revoked_at!: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_used_at!: Date | null;
  @ApiProperty({ example: 'user-1' }) created_by!: string;
  @ApiProperty({ type: String, format: 'date-time' }) created_at!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updated_at!: Date;
}

/** The create response: the view plus the secret, shown this once. */
export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({
    example: 'gw_AbC123xYz...',
    description: 'The key itself. It is shown only in this response: store it now.',
  })
  secret!: string;
}

export function toApiKeyView(key: ApiKey, now = new Date()): ApiKeyView {
  return {
    id: key.id,
    org_id: key.org_id,
    name: key.name,
    prefix: key.prefix,
    user_id: key.user_id,
    scopes: key.scopes,
    rate_limit: key.rate_limit,
    status: unusableReason(key, now) ?? 'active',
    expires_at: key.expires_at,
    revoked_at: key.revoked_at,
    last_used_at: key.last_used_at,
    created_by: key.created_by,
    created_at: key.created_at,
    updated_at: key.updated_at,
  };
}
