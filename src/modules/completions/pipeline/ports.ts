import type { Agent } from '../../agents';
import type { ConversationMessageInput, NewCallLog } from '../../conversations';
import type { UsageRecord } from '../../metrics';
import type { ChatMessage } from '../../providers';
import type { ExecutableTool } from '../../tools';

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

export abstract class ThreadStore {
  /** Earlier messages of the thread, oldest first (tool calls and results included). */
  abstract history(orgId: string, threadId: string, subThreadId?: string): Promise<ChatMessage[]>;
  /**
   * Appends one exchange atomically: all its messages or none. Idempotent by `exchangeId`: an
   * exchange already stored is left as it is.
   */
  abstract appendExchange(
    orgId: string,
    threadId: string,
    subThreadId: string | null,
    messages: ConversationMessageInput[],
    opts: { exchangeId: string; createdAt: Date },
  ): Promise<void>;
}

export abstract class CallLogSink {
  /** Stores one call log; idempotent by its `id`. */
  abstract record(entry: NewCallLog & { id: string }): Promise<void>;
}

export abstract class UsageSink {
  /** Stores usage rows; idempotent by row id. Resolves once they are stored. */
  abstract write(rows: UsageRecord[]): Promise<void>;
}
