import type { ChatMessage } from '../providers';

/** The Responses API's statuses (`Response.status` on the wire). */
export const RESPONSE_STATUSES = [
  'queued',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
  'incomplete',
] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export const RESPONSE_ID_PREFIX = 'resp';
export const CONVERSATION_ID_PREFIX = 'conv';

/** A stored Response (`store: true`), what GET /v1/responses/{id} and continuations read. */
export interface StoredResponse {
  /** `resp_…`, chosen by the caller (it is on the wire before the record is saved). */
  id: string;
  org_id: string;
  status: ResponseStatus;
  /** The Response object as last answered, wire JSON. */
  body: Record<string, unknown>;
  /** The request's input items in wire shape, for GET /v1/responses/{id}/input_items. */
  input_items: Record<string, unknown>[];
  /**
   * Canonical messages a continuation (`previous_response_id`) starts from: the previous
   * context + this input + this output, without instructions (they do not carry over).
   */
  context: ChatMessage[];
  previous_response_id: string | null;
  conversation_id: string | null;
  background: boolean;
  /** What a background run needs to start (filled by the caller); null otherwise. */
  request: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

/** The fields a conditional update may change. */
export interface ResponsePatch {
  status?: ResponseStatus;
  body?: Record<string, unknown>;
  context?: ChatMessage[];
}

/**
 * A conversation's own record (its metadata). Its items are the messages of the thread with
 * the same id: a Responses API conversation and an agent-API thread are one thing.
 */
export interface StoredConversation {
  /** `conv_…`; also the thread id, so it matches the thread id pattern. */
  id: string;
  org_id: string;
  metadata: Record<string, string>;
  created_at: Date;
}
