import type { ChatRequest, ChatResult, ServiceName, StreamEvent } from '../provider.types';

/**
 * Everything an adapter needs for one upstream call. Credentials travel per call (an org's key
 * may differ from the deployment's); the signal combines the caller's abort and our deadline.
 */
export interface AdapterContext {
  apiKey: string;
  /** Already resolved: org override, deployment override or the service's default. */
  baseUrl: string;
  /** True when `baseUrl` is the org's own (tenant input): the call goes through the egress policy. */
  tenantEndpoint?: boolean;
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * The port every provider implements. Adapters translate shapes and errors only: they make
 * exactly one HTTP call (SDK retries are off) and leave retries, fallbacks, breakers, pricing
 * and validation to the layers above, so that resilience lives in one place.
 *
 * Errors: adapters throw `ProviderError` (see `errors/`), never raw SDK errors.
 */
export abstract class ProviderAdapter {
  abstract readonly service: ServiceName;
  /** Where the service lives when no `<SERVICE>_BASE_URL` overrides it. */
  abstract readonly defaultBaseUrl: string;

  /** One non-streamed completion. `usage.cost_usd` is left null and `attempts` at 1. */
  abstract complete(req: ChatRequest, ctx: AdapterContext): Promise<ChatResult>;

  /**
   * One streamed completion: `start`, then `text`/`tool_call` fragments, then `finish` and
   * `usage` (in that order). Ending the iteration early aborts the upstream request.
   */
  abstract stream(req: ChatRequest, ctx: AdapterContext): AsyncIterable<StreamEvent>;
}
