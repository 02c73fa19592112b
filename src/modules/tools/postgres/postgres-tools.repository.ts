import type { DataSource } from 'typeorm';
import { PostgresOrgStore } from '../../../infra/document-store/postgres-org-store';
import { duplicateToolMessage } from '../tool.messages';
import { TOOL_ID_PREFIX } from '../tool.types';
import type { ToolsRepository } from '../tools.repository';
import { ToolEntity } from './tool.entity';

export class PostgresToolsRepository
  extends PostgresOrgStore<ToolEntity>
  implements ToolsRepository
{
  constructor(dataSource: DataSource) {
    super(dataSource.getRepository(ToolEntity), {
      idPrefix: TOOL_ID_PREFIX,
      conflictMessage: duplicateToolMessage,
      sealedField: 'headers_sealed',
    });
  }
}
