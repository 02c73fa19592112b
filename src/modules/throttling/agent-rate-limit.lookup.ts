/** An agent's stored overrides of the deployment's request limits (its `rate_limit` field). */
export interface AgentRateLimitOverrides {
  per_minute?: number;
  per_thread_per_minute?: number;
}

/** What a request to an agent will ask of its model, for the token-budget estimate. */
export interface AgentTarget {
  service: string;
  model: string;
  /** The agent's configured `max_tokens`, when it sets one. */
  maxTokens?: number;
  /** Characters of the agent's system prompt (sent with every request). */
  promptChars: number;
}

/**
 * Port through which the rate limiter reads an agent's `rate_limit` (and, when a token budget is
 * on, what the agent will call). The default knows no agents; the composition root binds the
 * real one with `ThrottlingModule.forRoot({ imports: [AgentsModule], agentRateLimits: SomeAdapter })`,
 * where the adapter (an @Injectable extending this class) reads the org's agent — cached, since
 * this runs on every completion request — and returns undefined for an unknown agent (the
 * completion itself answers the 404).
 */
export abstract class AgentRateLimitLookup {
  abstract find(orgId: string, agentId: string): Promise<AgentRateLimitOverrides | undefined>;

  /** The agent's model and prompt size; undefined when unknown (the estimate then uses defaults). */
  target(_orgId: string, _agentId: string): Promise<AgentTarget | undefined> {
    return Promise.resolve(undefined);
  }
}

export class NoAgentRateLimits extends AgentRateLimitLookup {
  async find(): Promise<undefined> {
    return undefined;
  }
}
