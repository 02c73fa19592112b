import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { StoredTool, ToolMethod } from '../tool.types';

/** `tools` table; its schema is created by the document-store migration, never synchronised. */
@Entity({ name: 'tools' })
@Index('tools_org_name_uq', ['org_id', 'name'], { unique: true })
@Index('tools_org_created_idx', ['org_id', 'created_at', 'id'])
export class ToolEntity implements StoredTool {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'tools_pkey' })
  id!: string;

  @Column({ type: 'text' })
  org_id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'jsonb' })
  parameters!: Record<string, unknown>;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text' })
  method!: ToolMethod;

  @Column({ type: 'text', nullable: true })
  headers_sealed!: string | null;

  @Column({ type: 'jsonb' })
  header_names!: string[];

  @Column({ type: 'integer' })
  timeout_ms!: number;

  @Column({ type: 'timestamptz' })
  created_at!: Date;

  @Column({ type: 'timestamptz' })
  updated_at!: Date;
}
