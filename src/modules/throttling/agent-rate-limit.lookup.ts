/** An agent's stored overrides of the deployment's request limits (its `rate_limit` field). */
export interface AgentRateLimitOverrides {
  per_minute?: number;
  per_thread_per_minute?: number;
}

/**
 * Port through which the rate limiter reads an agent's `rate_limit`. The default knows no
 * agents; the composition root binds the real one with
 * `ThrottlingModule.forRoot({ imports: [AgentsModule], agentRateLimits: SomeAdapter })`, where
 * the adapter (an @Injectable extending this class) reads the org's agent — cached, since this
 * runs on every completion request — and returns undefined for an unknown agent (the
 * completion itself answers the 404).
 */
export abstract class AgentRateLimitLookup {
  abstract find(orgId: string, agentId: string): Promise<AgentRateLimitOverrides | undefined>;
}

export class NoAgentRateLimits extends AgentRateLimitLookup {
  async find(): Promise<undefined> {
    return undefined;
  }
}
