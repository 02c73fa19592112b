import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ListQueryDto } from '../../../../common/pagination';
import { SAFE_ID_PATTERN } from '../../../../common/validation/safe-id';

export class ListCallLogsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'agt_3q2JXhN0v8S2aLr1m9BzQw' })
  @IsOptional()
  @IsString()
  @Matches(/^agt_[A-Za-z0-9_-]{8,64}$/, { message: 'agent_id must look like agt_<id>' })
  agent_id?: string;

  @ApiPropertyOptional({ example: 'thread-42' })
  @IsOptional()
  @IsString()
  @Matches(SAFE_ID_PATTERN, {
    message: 'thread_id must be 1-128 characters of letters, digits, . _ : -',
  })
  thread_id?: string;
}
