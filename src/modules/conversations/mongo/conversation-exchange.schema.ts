import { Schema } from 'mongoose';
import type { ContentPart, ToolCall, Usage } from '../../providers';
import { MESSAGE_ROLES, type MessageRole } from '../conversation.types';

export const EXCHANGE_MODEL = 'ConversationExchange';

export interface StoredExchangeMessage {
  role: MessageRole;
  content: string | ContentPart[] | null;
  tool_calls: ToolCall[] | null;
  tool_call_id: string | null;
  name: string | null;
  model: string | null;
  service: string | null;
  usage: Usage | null;
}

/**
 * One document per exchange: a single-document write is atomic on every MongoDB-protocol
 * server (FerretDB has no multi-document transactions), so an exchange is stored whole or
 * not at all.
 */
export interface ExchangeDoc {
  _id: string;
  org_id: string;
  thread_id: string;
  sub_thread_id: string | null;
  exchange_id: string;
  created_at: Date;
  messages: StoredExchangeMessage[];
}

const MessageSchema = new Schema<StoredExchangeMessage>(
  {
    role: { type: String, enum: MESSAGE_ROLES, required: true },
    content: { type: Schema.Types.Mixed, default: null },
    tool_calls: { type: Schema.Types.Mixed, default: null },
    tool_call_id: { type: String, default: null },
    name: { type: String, default: null },
    model: { type: String, default: null },
    service: { type: String, default: null },
    usage: { type: Schema.Types.Mixed, default: null },
  },
  { _id: false, minimize: false },
);

export const ExchangeSchema = new Schema<ExchangeDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    thread_id: { type: String, required: true },
    sub_thread_id: { type: String, default: null },
    exchange_id: { type: String, required: true },
    created_at: { type: Date, required: true },
    messages: { type: [MessageSchema], required: true },
  },
  { collection: 'conversation_exchanges', versionKey: false, minimize: false, strict: 'throw' },
);

// Paging and "latest N" of a thread; idempotent appends by (org, exchange).
ExchangeSchema.index({ org_id: 1, thread_id: 1, sub_thread_id: 1, created_at: 1, exchange_id: 1 });
ExchangeSchema.index({ org_id: 1, exchange_id: 1 }, { unique: true });
