import { Schema } from 'mongoose';
import type { MongoDoc } from '../../../infra/document-store/mongo-org-store';
import type { Agent } from '../agent.types';

export const AGENT_MODEL = 'Agent';

/** `agents` collection. `minimize: false` keeps `{}` configurations as written. */
export const AgentSchema = new Schema<MongoDoc<Agent>>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    name: { type: String, required: true },
    service: { type: String, required: true },
    model: { type: String, required: true },
    prompt: { type: String, default: '' },
    configuration: { type: Schema.Types.Mixed, default: {} },
    tool_ids: { type: [String], default: [] },
    fallbacks: { type: Schema.Types.Mixed, default: [] },
    cache_ttl: { type: Number, default: null },
    rate_limit: { type: Schema.Types.Mixed, default: null },
    max_tool_iterations: { type: Number, required: true },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
  },
  { collection: 'agents', versionKey: false, minimize: false, strict: 'throw' },
);

// Names are unique per org; lists page by (created_at, _id) within an org.
AgentSchema.index({ org_id: 1, name: 1 }, { unique: true });
AgentSchema.index({ org_id: 1, created_at: 1, _id: 1 });
