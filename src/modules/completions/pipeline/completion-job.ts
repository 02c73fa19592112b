import type { Principal } from '../../../common/auth/principal';
import type {
  ChatMessage,
  ChoiceAlternative,
  ModelParams,
  ResponseFormat,
  ServiceName,
  ThinkingBlock,
  ThinkingEvent,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from '../../providers';
import type { ExecutableTool } from '../../tools';

/**
 * A chat request in canonical terms: what every ingress format (OpenAI chat, Anthropic
 * Messages, ...) translates its wire body into before the job is built.
 */
export interface ChatCompletionRequest {
  /** `<service>/<model>` or `agent/<agent_id>`. */
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  user?: string;
}

/** Gateway extras a chat request carries beside its body (headers on the /v1 routes). */
export interface RequestExtras {
  threadId?: string;
  subThreadId?: string;
  /** From x-cache-ttl; 0 disables. */
  cacheTtl?: number;
  /** cache-control: no-cache */
  noCache: boolean;
  /** x-gateway-strict-params: true (or the deployment's STRICT_PARAMS): refuse, never drop. */
  strictParams?: boolean;
}

/** Everything the pipeline needs for one completion, whichever endpoint it came from. */
export interface CompletionJob {
  principal: Principal;
  requestId: string;
  service: ServiceName;
  model: string;
  fallbacks: Array<{ service: ServiceName; model: string }>;
  /** System prompt(s) first, then history, then the new messages. */
  messages: ChatMessage[];
  /** The caller's new messages: appended to the thread with the answer. */
  newMessages: ChatMessage[];
  params: ModelParams;
  /** Tool definitions shown to the model. */
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  user?: string;
  /** Stored tools the gateway runs itself; without them, tool calls go back to the client. */
  serverTools: ExecutableTool[];
  maxToolIterations: number;
  agentId?: string;
  thread?: { threadId: string; subThreadId?: string };
  /**
   * The id the thread append is stored under. Set by callers that may run the same completion
   * again (an async job after a crash), so that the rerun appends the exchange once; generated
   * per run otherwise.
   */
  exchangeId?: string;
  /** Seconds to keep the answer; 0 = neither read nor write the cache. */
  cacheTtl: number;
  /** Client parameters the target model cannot take, left out by the parameter policy. */
  droppedParams?: string[];
}

export interface ToolRun {
  id: string;
  name: string;
  arguments: string;
  result: string;
  ok: boolean;
  duration_ms: number;
}

/** The answer, however it was produced (provider rounds or the cache). */
export interface CompletionOutcome {
  id: string;
  service: ServiceName;
  model: string;
  content: string | null;
  /** Calls left for the client (client tools, or the iteration cap was reached). */
  tool_calls: ToolCall[];
  finish_reason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The stop sequence that ended the answer, where the provider says which (Anthropic). */
  stop_sequence?: string;
  /** Extended thinking of the final round (Anthropic, when the request enabled it). */
  thinking?: ThinkingBlock[];
  /**
   * Choices 1..n-1 of an `n` > 1 answer (only without server tools: see JobBuilder). The fields
   * above are choice 0, the one the thread, tool loop and call log use.
   */
  alternatives?: ChoiceAlternative[];
  tool_runs: ToolRun[];
  /** Summed over every provider round. */
  usage: Usage;
  created: number;
  rounds: number;
  cached: boolean;
  /** Messages produced by the exchange (assistant turns and tool results), for the thread. */
  produced: ChatMessage[];
}

/** What a streamed completion yields to the HTTP layer. */
export type PipelineEvent =
  | {
      type: 'start';
      id: string;
      service: ServiceName;
      model: string;
      created: number;
      /** Set when the answer is replayed from the response cache. */
      cached?: true;
    }
  /** `choice`: which choice of an `n` > 1 answer the text belongs to (absent: choice 0). */
  | { type: 'text'; text: string; choice?: number }
  | ThinkingEvent
  | {
      type: 'tool_call';
      index: number;
      id?: string;
      name?: string;
      arguments: string;
      choice?: number;
    }
  | { type: 'tool_run'; run: ToolRun }
  | { type: 'done'; outcome: CompletionOutcome };
