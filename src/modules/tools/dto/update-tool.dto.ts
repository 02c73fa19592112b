import { PartialType } from '@nestjs/swagger';
import { CreateToolDto } from './create-tool.dto';

/** `PATCH /api/v1/tools/:id`: any subset; `headers` replaces the whole set (`{}` clears it). */
export class UpdateToolDto extends PartialType(CreateToolDto, { skipNullProperties: false }) {}
