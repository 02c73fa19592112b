import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateProviderKeyDto } from './create-provider-key.dto';

/** `PATCH /api/v1/provider-keys/:id`: a new key and/or base URL (null clears it). */
export class UpdateProviderKeyDto extends PartialType(
  OmitType(CreateProviderKeyDto, ['service'] as const),
  { skipNullProperties: false },
) {}
