import { createHash } from 'node:crypto';
import type { AgentRateLimitOverrides } from './agent-rate-limit.lookup';

export const WINDOW_MS = 60_000;

/** Who and what a limited request is about, read from the principal and the request. */
export interface RateLimitFacts {
  orgId: string;
  userId: string;
  /** Present when the request used a gateway API key. */
  apiKey?: { id: string; perMinute?: number };
  agentId?: string;
  threadId?: string;
}

export interface DefaultLimits {
  /** RATE_LIMIT_USER_PER_MINUTE; 0 = no per-user limit. */
  userPerMinute: number;
  /** RATE_LIMIT_THREAD_PER_MINUTE; 0 = no per-thread limit. */
  threadPerMinute: number;
}

export type LimitLevel = 'user' | 'thread';

export interface Bucket {
  level: LimitLevel;
  /** Store key; org-scoped, with the org as a Redis Cluster hash tag. */
  key: string;
  limit: number;
}

/**
 * The counters a request must pass, in order: the caller's, then the thread's (levels whose
 * limit is 0 are off and left out).
 *
 * Caller level: the API key's own bucket when the key has a limit (a key with its own budget
 * does not eat its owner's), otherwise the user's. Its limit is the RATE_LIMIT_USER_PER_MINUTE
 * default unless overridden; when both the key and the agent override it, the stricter wins (an
 * agent cannot loosen a restricted key, nor a key an expensive agent), and an agent override
 * gets its own per-agent bucket so it is counted apart from the caller's other traffic.
 * Thread level: the agent's `per_thread_per_minute` or RATE_LIMIT_THREAD_PER_MINUTE, only when
 * the request names a thread. A limit of 0 means that level is off.
 *
 * Every attempt counts at the levels it reaches: a request refused for its thread has already
 * been counted against its caller (undoing that would need a decrement racing the window's
 * expiry, and a client hammering one thread should slow down everywhere anyway).
 */
export function planBuckets(
  facts: RateLimitFacts,
  defaults: DefaultLimits,
  agent: AgentRateLimitOverrides | undefined,
): Bucket[] {
  return planLevels(facts, defaults, agent).filter((b) => b.limit > 0);
}

/**
 * Every level a request has, in order, including those whose limit is 0 (off): a route's own
 * `@Throttle()` limit still counts in the level's bucket when the deployment default is off.
 * The thread level exists only when the request names a thread.
 */
export function planLevels(
  facts: RateLimitFacts,
  defaults: DefaultLimits,
  agent: AgentRateLimitOverrides | undefined,
): Bucket[] {
  const org = `{${part(facts.orgId)}}`;
  const keyLimit = facts.apiKey?.perMinute;
  const agentLimit = agent?.per_minute;
  const caller =
    facts.apiKey && keyLimit !== undefined
      ? `key:${part(facts.apiKey.id)}`
      : `user:${part(facts.userId)}`;
  const overrides = [keyLimit, agentLimit].filter((v): v is number => v !== undefined);
  const callerLimit = overrides.length > 0 ? Math.min(...overrides) : defaults.userPerMinute;
  const agentScope =
    agentLimit !== undefined && facts.agentId !== undefined ? `:agent:${part(facts.agentId)}` : '';

  const levels: Bucket[] = [
    { level: 'user', key: `rl:${org}:${caller}${agentScope}`, limit: callerLimit },
  ];
  if (facts.threadId !== undefined) {
    levels.push({
      level: 'thread',
      key: `rl:${org}:thread:${part(facts.threadId)}`,
      limit: agent?.per_thread_per_minute ?? defaults.threadPerMinute,
    });
  }
  return levels;
}

/** A key segment: URL-encoded (no braces or colons leak into the structure), long ones hashed. */
export function part(value: string): string {
  if (value.length > 128) return `h.${createHash('sha256').update(value).digest('hex')}`;
  return encodeURIComponent(value);
}
