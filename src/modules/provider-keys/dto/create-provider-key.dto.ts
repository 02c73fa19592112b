import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { SERVICES, type ServiceName } from '../../providers';

/** `POST /api/v1/provider-keys`. */
export class CreateProviderKeyDto {
  @ApiProperty({ enum: SERVICES, example: 'openai', description: 'One key per service per org' })
  @IsIn(SERVICES, { message: `service must be one of: ${SERVICES.join(', ')}` })
  service!: ServiceName;

  @ApiProperty({
    example: 'sk-proj-0123456789abcdef',
    description: 'Stored encrypted; only a masked form (sk-...cdef) is ever returned',
    writeOnly: true,
  })
  @IsString()
  @MinLength(8)
  @MaxLength(1024)
  @Matches(/^\S+$/, { message: 'api_key must not contain whitespace' })
  api_key!: string;

  @ApiPropertyOptional({
    example: 'https://llm-proxy.example.com/v1',
    nullable: true,
    description:
      "Overrides the service's endpoint for this org. An http(s) URL without credentials, query or fragment, whose host the egress policy allows: the public internet, or private hosts only when the deployment allowlists them (EGRESS_ALLOWLIST, EGRESS_ALLOW_PRIVATE). Otherwise 400 VALIDATION_FAILED with param base_url; host names are checked again after DNS at every call (403 PROVIDER_ERROR when refused then).",
  })
  @IsOptional()
  @MaxLength(2048)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'base_url must be an http(s) URL' },
  )
  base_url?: string | null;
}
