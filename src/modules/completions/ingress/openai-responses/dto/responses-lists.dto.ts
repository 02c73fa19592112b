import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** `?after&limit&order&include` on the item lists (input items, conversation items). */
export class ListItemsQueryDto {
  @ApiPropertyOptional({ description: 'An item id: the page starts after it' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({
    description: 'Accepted for compatibility; items always carry what the gateway stores',
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  include?: string[];
}

/** A cursor page of items. */
export class ResponseItemListDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: '`message`, `function_call` and `function_call_output` items',
  })
  data!: unknown[];

  @ApiProperty({ type: String, nullable: true })
  first_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  last_id!: string | null;

  @ApiProperty()
  has_more!: boolean;
}

export class ResponseDeletedDto {
  @ApiProperty({ example: 'resp_0123456789abcdef0123456789abcdef' })
  id!: string;

  @ApiProperty({ enum: ['response'] })
  object!: 'response';

  @ApiProperty()
  deleted!: boolean;
}
