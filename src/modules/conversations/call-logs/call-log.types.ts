export const CALL_OUTCOMES = ['success', 'error'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * What was asked, without the prompt itself (call logs must not become a copy of every
 * conversation): e.g. `{ endpoint, message_count, stream, tools, response_format }`.
 */
export type CallRequestSummary = Record<string, unknown>;

/** One completion, as recorded for audit and debugging. */
export interface CallLog {
  id: string;
  org_id: string;
  user_id: string | null;
  agent_id: string | null;
  thread_id: string | null;
  request_id: string | null;
  service: string;
  model: string;
  request: CallRequestSummary;
  outcome: CallOutcome;
  /** Answered from the response cache. */
  cached: boolean;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  /** null when the model's price is unknown. */
  cost_usd: number | null;
  error_code: string | null;
  created_at: Date;
}

/** What the pipeline passes to `CallLogsService.record`; omitted fields default to null/0. */
export interface NewCallLog {
  /** Given by a caller that may write the same log again (a retry): stored once. */
  id?: string;
  org_id: string;
  service: string;
  model: string;
  outcome: CallOutcome;
  latency_ms: number;
  cached?: boolean;
  user_id?: string | null;
  agent_id?: string | null;
  thread_id?: string | null;
  request_id?: string | null;
  request?: CallRequestSummary;
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  cached_tokens?: number;
  cost_usd?: number | null;
  error_code?: string | null;
  created_at?: Date;
}

export interface CallLogFilter {
  agent_id?: string;
  thread_id?: string;
}

export const CALL_LOG_ID_PREFIX = 'clog';
