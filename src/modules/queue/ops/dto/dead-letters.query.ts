import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ListQueryDto } from '../../../../common/pagination';

export class DeadLettersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'completion', description: 'Only jobs of this type' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,62}$/, { message: 'type must be a job type name, e.g. completion' })
  type?: string;
}
