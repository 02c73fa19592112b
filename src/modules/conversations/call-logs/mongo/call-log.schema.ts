import { Schema } from 'mongoose';
import { CALL_OUTCOMES, type CallLog } from '../call-log.types';

export const CALL_LOG_MODEL = 'CallLog';

export type CallLogDoc = Omit<CallLog, 'id'> & { _id: string };

/** `call_logs` collection: read newest first, per org, agent or thread. */
export const CallLogSchema = new Schema<CallLogDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    user_id: { type: String, default: null },
    agent_id: { type: String, default: null },
    thread_id: { type: String, default: null },
    request_id: { type: String, default: null },
    service: { type: String, required: true },
    model: { type: String, required: true },
    request: { type: Schema.Types.Mixed, default: {} },
    outcome: { type: String, enum: CALL_OUTCOMES, required: true },
    cached: { type: Boolean, required: true },
    latency_ms: { type: Number, required: true },
    input_tokens: { type: Number, required: true },
    output_tokens: { type: Number, required: true },
    total_tokens: { type: Number, required: true },
    cached_tokens: { type: Number, required: true },
    cost_usd: { type: Number, default: null },
    error_code: { type: String, default: null },
    created_at: { type: Date, required: true },
  },
  { collection: 'call_logs', versionKey: false, minimize: false, strict: 'throw' },
);

CallLogSchema.index({ org_id: 1, created_at: -1, _id: -1 });
CallLogSchema.index({ org_id: 1, agent_id: 1, created_at: -1, _id: -1 });
CallLogSchema.index({ org_id: 1, thread_id: 1, created_at: -1, _id: -1 });
