import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../../common/decorators';
import { ApiEnvelope, ok, type Ok } from '../../../common/http/envelope';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';
import { WebhookSecrets } from './webhook-secrets.service';
import { ApiErrorResponses } from '../../../common/swagger';

export class WebhookSecretResponse {
  @ApiProperty({ example: 'whsec_6f1c...', description: 'The HMAC key, used as UTF-8 bytes' })
  secret!: string;

  @ApiProperty({ example: 'HMAC-SHA256' })
  algorithm!: string;

  @ApiProperty({ example: SIGNATURE_HEADER })
  signature_header!: string;

  @ApiProperty({ example: TIMESTAMP_HEADER })
  timestamp_header!: string;

  @ApiProperty({ example: 'sha256=<hex HMAC-SHA256(secret, "<x-timestamp>.<raw body>")>' })
  signature_format!: string;
}

@ApiTags('queue')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/webhook-secret')
export class WebhookSecretController {
  constructor(private readonly secrets: WebhookSecrets) {}

  @Get()
  @ApiErrorResponses('gateway', 401, 403)
  @Scopes('admin')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: "The org's webhook signing secret",
    description:
      'Webhook deliveries carry `x-timestamp` (unix seconds) and `x-signature: sha256=<hex>`, the ' +
      'HMAC-SHA256 of `<x-timestamp>.<raw body>` keyed with this secret. Verify it over the raw ' +
      'bytes, compare in constant time, and refuse timestamps older than a few minutes.',
  })
  @ApiEnvelope(WebhookSecretResponse)
  get(@CurrentPrincipal() p: Principal): Ok<WebhookSecretResponse> {
    return ok({
      secret: this.secrets.forOrg(p.orgId),
      algorithm: 'HMAC-SHA256',
      signature_header: SIGNATURE_HEADER,
      timestamp_header: TIMESTAMP_HEADER,
      signature_format: 'sha256=<hex HMAC-SHA256(secret, "<x-timestamp>.<raw body>")>',
    });
  }
}
