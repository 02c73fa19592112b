/** One error as monitoring sees it: classified, with the context of the request it broke. */
export interface ErrorReport {
  code: string;
  status: number;
  /** Client-safe: the message the caller got (provider messages are scrubbed where made). */
  message: string;
  request_id: string | null;
  method: string | null;
  /** Route pattern, e.g. `/v1/chat/completions`; `pipeline` when no HTTP response carried it. */
  route: string;
  org_id: string | null;
  user_id: string | null;
  service: string | null;
  model: string | null;
  agent_id: string | null;
  time: Date;
}

/**
 * Whether an error is the operators' problem: server errors (5xx) and a provider refusing us
 * for rate (the provider's 429 passed on). Client errors (4xx: bad input, auth, not found, our
 * own rate limits) are only logged and counted.
 */
export function isOperatorError(status: number, error: unknown): boolean {
  if (status >= 500 && status !== 499) return true;
  const e = error as { name?: unknown; kind?: unknown } | null;
  return (
    typeof e === 'object' && e !== null && e.name === 'ProviderError' && e.kind === 'rate_limited'
  );
}
