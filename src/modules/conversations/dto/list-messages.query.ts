import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination';
import { SAFE_ID_PATTERN } from '../../../common/validation/safe-id';

/** `?sub_thread_id&limit&cursor` on the messages route. */
export class ListMessagesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    // No example: Swagger UI would send it, and the thread the examples write has no sub-thread.
    description: "The sub-thread to read (e.g. `sub-1`); omitted = the thread's main line",
  })
  @IsOptional()
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'sub_thread_id must be 1-128 characters of letters, digits, . _ : -',
  })
  sub_thread_id?: string;
}
