import type { OrgRecord, RecordFields } from '../../infra/document-store/org-record';
import type { ServiceName } from '../providers';

export interface AgentFallback {
  service: ServiceName;
  model: string;
}

/** Per-agent overrides of the deployment's rate limits (requests per minute). */
export interface AgentRateLimit {
  per_minute?: number;
  per_thread_per_minute?: number;
}

/** A stored agent ("bridge"): DESIGN's fields, exactly as the API shows them. */
export interface Agent extends OrgRecord {
  name: string;
  service: ServiceName;
  model: string;
  /** System prompt; `{{name}}` placeholders are filled from the request's variables. */
  prompt: string;
  configuration: Record<string, unknown>;
  tool_ids: string[];
  fallbacks: AgentFallback[];
  /** Response cache TTL in seconds; null = the deployment default. */
  cache_ttl: number | null;
  rate_limit: AgentRateLimit | null;
  /** Cap on model -> tools -> model rounds in one completion. */
  max_tool_iterations: number;
}

export type AgentFields = RecordFields<Agent>;

export const AGENT_ID_PREFIX = 'agt';
export const DEFAULT_MAX_TOOL_ITERATIONS = 5;
export const MAX_PROMPT_CHARS = 100_000;
