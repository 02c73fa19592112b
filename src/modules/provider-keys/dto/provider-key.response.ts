import { ApiProperty } from '@nestjs/swagger';
import { SERVICES, type ServiceName } from '../../providers';
import type { ProviderKey } from '../provider-key.types';

/** A provider key as the API returns it: masked only. */
export class ProviderKeyResponse implements ProviderKey {
  @ApiProperty({ example: 'pkey_3q2JXhN0v8S2aLr1m9BzQw' }) id!: string;
  @ApiProperty({ example: 'org-1' }) org_id!: string;
  @ApiProperty({ enum: SERVICES }) service!: ServiceName;
  @ApiProperty({ example: 'sk-...cdef' }) masked_key!: string;
  @ApiProperty({ type: String, nullable: true }) base_url!: string | null;
  @ApiProperty({
    example: 1,
    description: "Share of the org's calls to the service among its keys",
  })
  weight!: number;
  @ApiProperty({ type: String, nullable: true, example: 'eu-project' }) name!: string | null;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;
}
