import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateProviderKeyDto } from './create-provider-key.dto';

/** `PATCH /api/v1/provider-keys/:id`: a new key, base URL, weight and/or name (null clears base URL and name). */
export class UpdateProviderKeyDto extends PartialType(
  OmitType(CreateProviderKeyDto, ['service'] as const),
  { skipNullProperties: false },
) {}
