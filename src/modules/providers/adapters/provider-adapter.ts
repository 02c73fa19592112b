import type { ClientKey, ClientPool } from '../client-pool';
import type {
  ChatRequest,
  ChatResult,
  EmbeddingRequest,
  EmbeddingResult,
  ServiceName,
  StreamEvent,
} from '../provider.types';

/** The request/response format an adapter speaks upstream. */
export type WireFormat = 'openai-chat' | 'anthropic-messages';

/**
 * A service's entry in the service list (`service-list.ts`), carried by its adapter class as
 * `static info`. Everything that names services derives from these entries: `SERVICES`, the
 * config keys (`<NAME>_API_KEY`, `<NAME>_BASE_URL`, the name in upper snake case), the Swagger
 * enums and the catalog file (`catalog/services/<name>.json`).
 */
export interface ServiceInfo {
  /** The `<service>` of `<service>/<model>` ids: lower case, digits and dashes. */
  readonly name: string;
  /** How people call it (docs, logs). */
  readonly label: string;
  /**
   * Where the service lives when no `<SERVICE>_BASE_URL` (or org `base_url`) says otherwise.
   * Absent for services with no public endpoint (a self-hosted server): they need a base URL.
   */
  readonly defaultBaseUrl?: string;
}

/** A concrete adapter class, as the service list holds it. */
export interface AdapterClass {
  new (pool: ClientPool): ProviderAdapter;
  readonly info: ServiceInfo;
  readonly wire: WireFormat;
}

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

/** The pool key of the client for one call: `scope` names the SDK, the service sets it apart. */
export function clientKey(sdk: string, service: ServiceName, ctx: AdapterContext): ClientKey {
  return {
    scope: `${sdk}|${service}`,
    apiKey: ctx.apiKey,
    baseUrl: ctx.baseUrl,
    tenant: ctx.tenantEndpoint,
  };
}

/**
 * The port every provider implements. Adapters translate shapes and errors only: they make
 * exactly one HTTP call (SDK retries are off) and leave retries, fallbacks, breakers, pricing
 * and validation to the layers above, so that resilience lives in one place.
 *
 * Errors: adapters throw `ProviderError` (see `errors/`), never raw SDK errors; each adapter
 * translates its own SDK's errors.
 */
export abstract class ProviderAdapter {
  readonly service: ServiceName;
  /** Where the service lives when no `<SERVICE>_BASE_URL` overrides it (none: one is required). */
  readonly defaultBaseUrl: string | undefined;

  constructor() {
    // The concrete class's entry in the service list (`static info`) names what it serves.
    const { info } = new.target as unknown as Partial<AdapterClass>;
    if (!info) throw new Error(`${new.target.name} has no static info (its service list entry)`);
    this.service = info.name as ServiceName;
    this.defaultBaseUrl = info.defaultBaseUrl;
  }

  /** One non-streamed completion. `usage.cost_usd` is left null and `attempts` at 1. */
  abstract complete(req: ChatRequest, ctx: AdapterContext): Promise<ChatResult>;

  /**
   * One streamed completion: `start`, then `text`/`tool_call` fragments, then `finish` and
   * `usage` (in that order). Ending the iteration early aborts the upstream request.
   */
  abstract stream(req: ChatRequest, ctx: AdapterContext): AsyncIterable<StreamEvent>;

  /**
   * One embeddings call, for the services that offer them (absent otherwise: Anthropic has
   * none). Vectors come back as floats, in input order; `cost_usd` is left null.
   */
  embed?(req: EmbeddingRequest, ctx: AdapterContext): Promise<EmbeddingResult>;
}
