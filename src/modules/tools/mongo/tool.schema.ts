import { Schema } from 'mongoose';
import type { MongoDoc } from '../../../infra/document-store/mongo-org-store';
import { TOOL_METHODS, type StoredTool } from '../tool.types';

export const TOOL_MODEL = 'Tool';

/** `tools` collection. `minimize: false` keeps empty schema objects (`properties: {}`). */
export const ToolSchema = new Schema<MongoDoc<StoredTool>>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    parameters: { type: Schema.Types.Mixed, required: true },
    url: { type: String, required: true },
    method: { type: String, enum: TOOL_METHODS, required: true },
    headers_sealed: { type: String, default: null },
    header_names: { type: [String], default: [] },
    timeout_ms: { type: Number, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'tools', versionKey: false, minimize: false, strict: 'throw' },
);

// Names are unique per org; lists page by (created_at, _id) within an org.
ToolSchema.index({ org_id: 1, name: 1 }, { unique: true });
ToolSchema.index({ org_id: 1, created_at: 1, _id: 1 });
