import { ApiProperty } from '@nestjs/swagger';
import { TOOL_METHODS, type Tool, type ToolMethod } from '../tool.types';

/** A tool as the API returns it: header values are never included, only their names. */
export class ToolResponse implements Tool {
  @ApiProperty({ example: 'tool_3q2JXhN0v8S2aLr1m9BzQw' }) id!: string;
  @ApiProperty({ example: 'org-1' }) org_id!: string;
  @ApiProperty({ example: 'get_weather' }) name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: { type: 'object', properties: { city: { type: 'string' } } } })
  parameters!: Record<string, unknown>;
  @ApiProperty({ example: 'https://tools.example.com/weather' }) url!: string;
  @ApiProperty({ enum: TOOL_METHODS }) method!: ToolMethod;
  @ApiProperty({ type: [String], example: ['authorization'] }) header_names!: string[];
  @ApiProperty({ example: 10000 }) timeout_ms!: number;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;
}
