import type { Agent } from '../../agents/agent.types';
import type { ChatMessage, ServiceName, Usage } from '../../providers/provider.types';
import type { ExecutableTool } from '../../tools/execution/executable-tool';

/**
 * What the pipeline needs from other modules, as small ports: the completions module depends
 * on these, and its module file binds them to the owning modules' public services.
 */
export abstract class AgentSource {
  /** The org's agent; NOT_FOUND (404) when it does not exist in that org. */
  abstract get(orgId: string, agentId: string): Promise<Agent>;
}

export abstract class ToolSource {
  /** The org's tools with headers decrypted; NOT_FOUND when one is missing. */
  abstract getExecutable(orgId: string, toolIds: string[]): Promise<ExecutableTool[]>;
}

export interface ExchangeMeta {
  service: ServiceName;
  model: string;
  usage: Usage;
  requestId: string;
  /** Unique per exchange: a retried append with the same id stores nothing new. */
  exchangeId: string;
}

export abstract class ThreadStore {
  /** Earlier messages of the thread, oldest first (tool calls and results included). */
  abstract history(orgId: string, threadId: string, subThreadId?: string): Promise<ChatMessage[]>;
  /** Appends one exchange atomically: all its messages or none. */
  abstract appendExchange(
    orgId: string,
    threadId: string,
    subThreadId: string | undefined,
    messages: ChatMessage[],
    meta: ExchangeMeta,
  ): Promise<void>;
}

export interface CallLogEntry {
  org_id: string;
  user_id: string;
  agent_id?: string;
  thread_id?: string;
  request_id: string;
  service: string;
  model: string;
  outcome: 'success' | 'error';
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number | null;
  cached: boolean;
  error_code?: string;
  /** A summary, never the full prompt: message count, tool count, stream or not. */
  request_summary: Record<string, unknown>;
}

export abstract class CallLogSink {
  abstract record(entry: CallLogEntry): Promise<void>;
}

export interface UsageRow {
  time: Date;
  org_id: string;
  user_id?: string;
  agent_id?: string;
  thread_id?: string;
  service: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens?: number;
  cost_usd: number | null;
  latency_ms: number;
  status: 'success' | 'error';
  error_code?: string;
  cached: boolean;
  attempt?: number;
}

export abstract class UsageSink {
  /** Synchronous and cheap: buffered and written in batches elsewhere. */
  abstract record(row: UsageRow): void;
}
