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
  MinLength,
  ValidateIf,
} from 'class-validator';
import { SERVICES, type ServiceName } from '../../providers';
import { MAX_KEY_WEIGHT, MIN_KEY_WEIGHT } from '../provider-key.types';

/** `POST /api/v1/provider-keys`. */
export class CreateProviderKeyDto {
  @ApiProperty({
    enum: SERVICES,
    example: 'openai',
    description:
      'An org may hold several keys per service: calls are spread over them by weight, and a key answering 401/403, 429 or 5xx cools down while the others take its share',
  })
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

  @ApiPropertyOptional({
    example: 3,
    default: 1,
    minimum: MIN_KEY_WEIGHT,
    maximum: MAX_KEY_WEIGHT,
    description:
      "Share of the org's calls to the service relative to its other keys for it (an integer; weights 1 and 3 send a quarter and three quarters)",
  })
  // Absent means 1; null is refused like any other non-integer (the column holds a number).
  @ValidateIf((o: { weight?: unknown }) => o.weight !== undefined)
  @IsInt({ message: `weight must be an integer from ${MIN_KEY_WEIGHT} to ${MAX_KEY_WEIGHT}` })
  @Min(MIN_KEY_WEIGHT, {
    message: `weight must be an integer from ${MIN_KEY_WEIGHT} to ${MAX_KEY_WEIGHT}`,
  })
  @Max(MAX_KEY_WEIGHT, {
    message: `weight must be an integer from ${MIN_KEY_WEIGHT} to ${MAX_KEY_WEIGHT}`,
  })
  weight?: number;

  @ApiPropertyOptional({
    example: 'eu-project',
    nullable: true,
    description:
      'A label for the key (1-64 letters, digits, spaces, _ . -), shown instead of the key',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, {
    message:
      'name must be 1-64 letters, digits, spaces, _ . or - (starting with a letter or digit)',
  })
  name?: string | null;
}
