import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EgressPolicy } from '../../common/egress';
import { AppException, ErrorCode } from '../../common/errors';
import { providersConfig, serviceEnvKeys } from './providers.config';
import { AdapterRegistry } from './adapters/adapter.registry';
import type { AdapterContext } from './adapters/provider-adapter';
import { unwrapOutputTool, unwrapOutputToolStream } from './output-tool';
import type { CatalogListing } from './catalog/catalog.types';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { fingerprint } from './client-pool';
import { egressRefusedError, noBaseUrlError, noKeyError } from './errors/provider-error';
import { parseModelRef, type ModelRef } from './model-ref';
import { ProviderKeyResolver } from './provider-key.resolver';
import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  EmbeddingRequest,
  EmbeddingResult,
  ServiceName,
  StreamEvent,
  Usage,
} from './provider.types';
import { providerMetrics } from './resilience/provider-metrics';
import {
  type CallTarget,
  type Endpoint,
  type ExecuteOptions,
  ResilientExecutor,
} from './resilience/resilient-executor';
import { tenantBaseUrlProblem } from './tenant-base-url';
import { GenAiCalls } from './telemetry/genai-calls';
import { Telemetry } from '../tracing';

/** Sent when a custom base URL (a proxy, the test upstream) is configured without a key. */
export const PLACEHOLDER_API_KEY = 'no-key-configured';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The metrics label of models not in the catalog: ids chosen by clients must not become labels. */
const UNLISTED_MODEL = 'other';

/**
 * One member per key and base URL: the same key stored twice is one key to the provider (one
 * rate limit, one circuit), so its weights add up.
 */
function mergeDuplicates(pool: Endpoint[]): Endpoint[] {
  const byId = new Map<string, Endpoint>();
  for (const e of pool) {
    const seen = byId.get(e.keyId);
    if (seen) seen.weight = (seen.weight ?? 1) + (e.weight ?? 1);
    else byId.set(e.keyId, { ...e });
  }
  return [...byId.values()];
}

/** Without the deployment's policy (a bare module in a test), tenant URLs get the strictest one. */
const STRICT_POLICY = new EgressPolicy({ allowPrivate: false, allowlist: [] });

/**
 * The providers module's front door: validate against the catalog, resolve credentials, call
 * the service's adapter through the resilience layer, price the usage.
 */
@Injectable()
export class ProvidersService {
  constructor(
    @Inject(providersConfig.KEY) private readonly cfg: ConfigType<typeof providersConfig>,
    private readonly catalog: ModelCatalogService,
    private readonly adapters: AdapterRegistry,
    private readonly executor: ResilientExecutor,
    private readonly keys: ProviderKeyResolver,
    @Optional() egress?: EgressPolicy,
    @Optional() telemetry?: Telemetry,
  ) {
    this.egress = egress ?? STRICT_POLICY;
    // Tracing off: no wrapper at all, the attempt callbacks call the adapters directly.
    this.traced = telemetry?.enabled ? new GenAiCalls(telemetry) : undefined;
  }

  private readonly egress: EgressPolicy;
  private readonly traced?: GenAiCalls;

  /**
   * One completion. Throws VALIDATION_FAILED for requests the model cannot take, then the
   * primary's error (RATE_LIMITED, PROVIDER_ERROR, PROVIDER_TIMEOUT, PROVIDER_UNAVAILABLE) when
   * it and every fallback failed. `attempts` counts upstream calls across retries and fallbacks;
   * `service`/`model` name whoever answered.
   */
  async complete(req: ChatRequest, opts: CallOptions = {}): Promise<ChatResult> {
    const targets = this.plan(req, opts, false);
    const call = async (t: CallTarget, ctx: AdapterContext) =>
      unwrapOutputTool(
        await this.adapters.get(t.service).complete(t.request, ctx),
        t.request.output_tool,
      );
    const traced = this.traced;
    const done = await this.executor.complete(
      targets,
      traced ? (t, ctx) => traced.complete(t, ctx, () => call(t, ctx)) : call,
      this.executeOptions(opts),
    );
    const usage = this.priced(done.target, done.value.usage);
    return {
      ...done.value,
      service: done.target.service,
      model: done.target.model,
      usage,
      attempts: done.attempts,
    };
  }

  /**
   * One streamed completion. Validation errors are thrown synchronously, by this call; upstream
   * failures (after retries and fallbacks) surface from the first `next()`, before any event,
   * so a caller can await the first event before committing its response. The `start` event
   * names the service/model that answered; the `usage` event carries `cost_usd`. Stopping the
   * iteration early, or aborting `opts.signal`, aborts the upstream request.
   */
  stream(req: ChatRequest, opts: CallOptions = {}): AsyncIterable<StreamEvent> {
    const targets = this.plan(req, opts, true);
    const open = (t: CallTarget, ctx: AdapterContext) =>
      unwrapOutputToolStream(
        this.adapters.get(t.service).stream(t.request, ctx),
        t.request.output_tool,
      );
    const traced = this.traced;
    const events = this.executor.stream(
      targets,
      traced ? (t, ctx) => traced.stream(t, ctx, () => open(t, ctx)) : open,
      this.executeOptions(opts),
    );
    return this.priceStream(events);
  }

  /** Whether the service's adapter has `embed()` (Anthropic, Groq: no). */
  offersEmbeddings(service: ServiceName): boolean {
    return typeof this.adapters.get(service).embed === 'function';
  }

  /**
   * One embeddings call through the resilience layer (retries, breaker, deadline; no fallbacks:
   * another model's vectors live in another space). The catalog check (an embedding model) is
   * the caller's; a service without embeddings answers 400 naming it. `usage.cost_usd` is the
   * model's input price.
   */
  async embed(req: EmbeddingRequest, opts: CallOptions = {}): Promise<EmbeddingResult> {
    const adapter = this.adapters.get(req.service);
    if (!adapter.embed) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${req.service} offers no embeddings; use an embedding model of another service`,
        { status: 400, param: 'model' },
      );
    }
    const embed = adapter.embed.bind(adapter);
    const target: CallTarget<EmbeddingRequest> = {
      service: req.service,
      model: req.model,
      request: req,
      metricsModel: this.metricsModel(req.service, req.model),
    };
    const traced = this.traced;
    const done = await this.executor.complete(
      [target],
      traced
        ? (t, ctx) => traced.embed(t, ctx, () => embed(t.request, ctx))
        : (t, ctx) => embed(t.request, ctx),
      this.executeOptions(opts),
    );
    return {
      ...done.value,
      usage: this.priced(done.target, done.value.usage),
      attempts: done.attempts,
    };
  }

  listModels(): CatalogListing {
    return this.catalog.list();
  }

  /** "openai/gpt-4o-mini" -> {service, model}; 400 VALIDATION_FAILED on an unknown service. */
  parseModelRef(ref: string): ModelRef {
    return parseModelRef(ref);
  }

  private plan(req: ChatRequest, opts: CallOptions, stream: boolean): CallTarget[] {
    const resolved = this.catalog.validate(req, { stream });
    const targets: CallTarget[] = [
      {
        service: req.service,
        model: req.model,
        request: this.catalog.prepare(req, resolved),
        metricsModel: this.metricsModel(req.service, req.model),
      },
    ];
    for (const f of opts.fallbacks ?? []) {
      if (targets.some((t) => t.service === f.service && t.model === f.model)) continue;
      const request = this.catalog.adaptForFallback(req, f.service, f.model, { stream });
      if (request) {
        targets.push({
          service: f.service,
          model: f.model,
          request,
          metricsModel: this.metricsModel(f.service, f.model),
        });
      }
    }
    return targets;
  }

  private executeOptions(opts: CallOptions): ExecuteOptions {
    return {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      requestId: opts.requestId,
      tenant: opts.orgId,
      resolveEndpoint: (service) => this.endpoints(service, opts.orgId),
    };
  }

  /**
   * Org keys > deployment keys; org base URL > deployment base URL > the service's public one
   * (a service without one, like `openai-compatible`, answers PROVIDER_UNAVAILABLE naming the
   * key to set). Without any key a call to the real provider is pointless
   * (PROVIDER_UNAVAILABLE, so a fallback can take over); with a custom base URL (a keyless
   * proxy, the mock upstream) a placeholder is sent because the SDKs insist on a key.
   *
   * Several keys (an org's, or `<SERVICE>_API_KEYS`) make a pool the executor balances by
   * weight; an org with keys of its own uses only those.
   *
   * Base URLs from the environment (and the providers' own) are trusted. An org's base URL is
   * tenant input: checked here against the rules it was stored under (the policy may have
   * changed, the record may predate them) and, for host names, again at connect time by the
   * egress-checked client (DNS may have changed). A refusal is a 403 before any connection.
   */
  private async endpoints(service: ServiceName, orgId: string | undefined): Promise<Endpoint[]> {
    const deployment = this.cfg.services[service] ?? {};
    const orgKeys = orgId ? await this.keys.resolveAll(orgId, service) : [];
    if (orgKeys.length > 0) {
      // Org keys are tenant data: metrics name them all `org` (see keyMetrics). A member whose
      // base URL the egress policy now refuses drops out; the call fails only when none is left.
      const usable: Endpoint[] = [];
      let refused: unknown;
      for (const k of orgKeys) {
        try {
          usable.push(
            this.endpoint(service, k.apiKey, k.baseUrl, true, deployment.baseUrl, 'org', k.weight),
          );
        } catch (e) {
          refused ??= e;
        }
      }
      if (usable.length === 0) throw refused;
      return mergeDuplicates(usable);
    }
    const pool = deployment.pool ?? [];
    if (pool.length > 0) {
      return mergeDuplicates(
        pool.map((k, i) => {
          const e = this.endpoint(service, k.apiKey, k.baseUrl, false, deployment.baseUrl);
          // Position, not a hash: even a hash prefix of a key is a fingerprint on /metrics.
          return { ...e, weight: k.weight, label: k.name ?? `key${i + 1}` };
        }),
      );
    }
    return [this.endpoint(service, deployment.apiKey, undefined, false, deployment.baseUrl)];
  }

  private endpoint(
    service: ServiceName,
    key: string | undefined,
    ownBaseUrl: string | undefined,
    tenant: boolean,
    deploymentBaseUrl: string | undefined,
    label?: string,
    weight?: number,
  ): Endpoint {
    const adapter = this.adapters.get(service);
    const tenantEndpoint = tenant && ownBaseUrl !== undefined;
    if (tenantEndpoint) {
      const problem = tenantBaseUrlProblem(ownBaseUrl, this.egress);
      if (problem) throw egressRefusedError(service, problem);
    }
    const base = ownBaseUrl ?? deploymentBaseUrl ?? adapter.defaultBaseUrl;
    // A service without a public endpoint (a self-hosted server) is unusable until configured.
    if (base === undefined) throw noBaseUrlError(service, serviceEnvKeys(service).baseUrl);
    const baseUrl = trimSlash(base);
    let apiKey = key;
    if (!apiKey) {
      if (adapter.defaultBaseUrl !== undefined && baseUrl === trimSlash(adapter.defaultBaseUrl))
        throw noKeyError(service);
      apiKey = PLACEHOLDER_API_KEY;
    }
    return {
      apiKey,
      baseUrl,
      keyId: fingerprint({ apiKey, baseUrl }),
      tenantEndpoint,
      ...(weight === undefined ? {} : { weight }),
      ...(label === undefined ? {} : { label }),
    };
  }

  /**
   * Catalog price when the model is listed; for pass-through models the provider's own
   * reported charge (OpenRouter sends one) or null.
   */
  private priced(target: { service: ServiceName; model: string }, usage: Usage): Usage {
    const listed = this.catalog.get(target.service, target.model);
    const cost = listed ? this.catalog.price(target.service, target.model, usage) : usage.cost_usd;
    const labels = { service: target.service, model: listed ? target.model : UNLISTED_MODEL };
    providerMetrics.tokens.inc({ ...labels, kind: 'input' }, usage.input_tokens);
    providerMetrics.tokens.inc({ ...labels, kind: 'output' }, usage.output_tokens);
    providerMetrics.tokens.inc({ ...labels, kind: 'cached' }, usage.cached_tokens);
    return { ...usage, cost_usd: cost };
  }

  /** Catalog models by name; anything else (client-chosen pass-through ids) as one label. */
  private metricsModel(service: ServiceName, model: string): string {
    return this.catalog.get(service, model) ? model : UNLISTED_MODEL;
  }

  /**
   * The usage event gets its cost; every other event passes as is. A plain iterator rather than
   * an async generator: one `then` per event instead of a generator's await and yield hops.
   * `return()` is forwarded, so a consumer stopping early still closes the upstream call.
   */
  private priceStream(events: AsyncIterable<StreamEvent>): AsyncIterable<StreamEvent> {
    return {
      [Symbol.asyncIterator]: () => {
        const it = events[Symbol.asyncIterator]();
        let target: { service: ServiceName; model: string } | undefined;
        const price = (r: IteratorResult<StreamEvent>): IteratorResult<StreamEvent> => {
          if (r.done) return r;
          const event = r.value;
          if (event.type === 'start') target = { service: event.service, model: event.model };
          else if (event.type === 'usage' && target)
            return {
              done: false,
              value: { type: 'usage', usage: this.priced(target, event.usage) },
            };
          return r;
        };
        return {
          next: () => it.next().then(price),
          return: (value?: unknown) =>
            it.return
              ? it.return(value)
              : Promise.resolve({ done: true as const, value: undefined }),
        };
      },
    };
  }
}
