import type { Connection } from 'mongoose';
import { modelOn } from '../../../infra/document-store/mongo-model';
import { MongoOrgStore } from '../../../infra/document-store/mongo-org-store';
import { duplicateToolMessage } from '../tool.messages';
import { TOOL_ID_PREFIX, type StoredTool } from '../tool.types';
import type { ToolsRepository } from '../tools.repository';
import { TOOL_MODEL, ToolSchema } from './tool.schema';

export class MongoToolsRepository extends MongoOrgStore<StoredTool> implements ToolsRepository {
  constructor(connection: Connection) {
    super(modelOn(connection, TOOL_MODEL, ToolSchema), {
      idPrefix: TOOL_ID_PREFIX,
      conflictMessage: duplicateToolMessage,
      sealedField: 'headers_sealed',
    });
  }
}
