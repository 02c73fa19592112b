import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { AppException } from '../../../common/errors';
import type { AdapterContext } from '../adapters/provider-adapter';
import {
  abortedError,
  circuitOpenError,
  malformedError,
  ProviderError,
  timeoutError,
  type FailureKind,
} from '../errors/provider-error';
import type { ChatRequest, ServiceName, StreamEvent } from '../provider.types';
import { isKeySpecific, KeyBalancer } from '../balancing/key-balancer';
import { retryDelay, sleep } from './backoff';
import { CircuitBreakerRegistry, type CircuitGuard } from './circuit-breaker';
import { Deadline } from './deadline';
import { keyMetrics, providerMetrics } from './provider-metrics';
import {
  DEFAULT_RESILIENCE,
  RESILIENCE_OPTIONS,
  type ResilienceOptions,
} from './resilience.options';

/** One service/model to try, with the request already shaped for it (a chat or an embedding). */
export interface CallTarget<R = ChatRequest> {
  service: ServiceName;
  model: string;
  request: R;
  /**
   * The model as metrics label it: catalog models by name, any other id (services that pass
   * unknown models through take whatever the client sends) as `other`, so labels stay bounded.
   */
  metricsModel?: string;
}

/** Credentials for one service; `keyId` is a hash naming the key in breakers and logs. */
export interface Endpoint {
  apiKey: string;
  baseUrl: string;
  keyId: string;
  /** The base URL is the org's own: the call goes through the egress policy. */
  tenantEndpoint?: boolean;
  /** Share of the service's traffic among the pool's members (default 1). */
  weight?: number;
  /**
   * How metrics and logs name the key (a deployment key's name or pool position, `key1`…; `org` for all
   * org keys, since /metrics carries no tenant data). Never the key itself.
   */
  label?: string;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  requestId?: string;
  /** The org the call is for: its failures open its own view of a shared key's circuit first. */
  tenant?: string;
  /**
   * The service's endpoint, or its pool of weighted endpoints (several keys or deployments),
   * balanced per attempt. Throws PROVIDER_UNAVAILABLE (a fallbackable error) when it has no key.
   */
  resolveEndpoint: (service: ServiceName) => Promise<Endpoint | readonly Endpoint[]>;
}

export interface Executed<T, R = ChatRequest> {
  value: T;
  target: CallTarget<R>;
  /** Upstream calls made, across retries and fallbacks. */
  attempts: number;
}

interface Committed<T, R = ChatRequest> extends Executed<T, R> {
  deadline: Deadline;
  breaker: CircuitGuard;
  startedAt: number;
}

/** The key's metrics label: its own for deployment keys, `default` for a lone unnamed key. */
const keyLabel = (e: Endpoint): string => e.label ?? 'default';

const OUTCOME: Record<FailureKind, string> = {
  server: 'server_error',
  rate_limited: 'rate_limited',
  connection: 'connection_error',
  timeout: 'timeout',
  auth: 'auth_error',
  refused: 'not_found',
  client: 'client_error',
  malformed: 'malformed',
  aborted: 'aborted',
  unavailable: 'unavailable',
  egress: 'egress_blocked',
};

/**
 * The one place where retries, timeouts, circuit breakers and fallbacks happen.
 *
 * Per target (the primary, then each fallback): up to `maxRetries` retries on retryable
 * failures (408/409/429/5xx, connection errors) with backoff or the provider's Retry-After;
 * then, if the failure is one another service could avoid (retryable, timeout, bad key,
 * circuit open, no key), the next target. Client errors and aborts end the call at once.
 * A stream is committed once its first event arrives: after that nothing is retried.
 */
@Injectable()
export class ResilientExecutor {
  private readonly logger = new Logger('ProviderCall');

  constructor(
    @Inject(RESILIENCE_OPTIONS) private readonly opts: ResilienceOptions,
    private readonly breakers: CircuitBreakerRegistry,
    @Optional() balancer?: KeyBalancer,
  ) {
    this.balancer =
      balancer ??
      new KeyBalancer({
        keyCooldownMs: opts.keyCooldownMs ?? DEFAULT_RESILIENCE.keyCooldownMs,
        keyCooldownMaxMs: opts.keyCooldownMaxMs ?? DEFAULT_RESILIENCE.keyCooldownMaxMs,
        now: opts.now,
      });
  }

  private readonly balancer: KeyBalancer;

  async complete<T, R = ChatRequest>(
    targets: CallTarget<R>[],
    call: (target: CallTarget<R>, ctx: AdapterContext) => Promise<T>,
    opts: ExecuteOptions,
  ): Promise<Executed<T, R>> {
    const done = await this.run(targets, opts, call);
    done.deadline.dispose();
    done.breaker.onSuccess();
    this.record(done.target, done.attempts, 'success', done.startedAt, opts.requestId);
    return { value: done.value, target: done.target, attempts: done.attempts };
  }

  async *stream(
    targets: CallTarget[],
    open: (target: CallTarget, ctx: AdapterContext) => AsyncIterable<StreamEvent>,
    opts: ExecuteOptions,
  ): AsyncGenerator<StreamEvent> {
    const done = await this.run(targets, opts, async (target, ctx) => {
      const it = open(target, ctx)[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done) throw malformedError(target.service, 'the stream was empty');
      return { it, first: first.value };
    });
    const { target, deadline, breaker, startedAt } = done;
    const { it, first } = done.value;
    deadline.pause();
    breaker.onSuccess();
    providerMetrics.firstEvent.observe(
      { service: target.service, model: target.metricsModel ?? target.model },
      (performance.now() - startedAt) / 1000,
    );
    let outcome = 'cancelled';
    try {
      yield first;
      for (;;) {
        deadline.restart();
        const next = await it.next();
        deadline.pause();
        if (next.done) break;
        yield next.value;
      }
      outcome = 'success';
    } catch (raw) {
      const err = this.normalize(raw, target, deadline, opts);
      outcome = OUTCOME[err.kind];
      if (err.countsAgainstCircuit) breaker.onFailure();
      else breaker.release();
      throw err;
    } finally {
      deadline.dispose();
      // The consumer stopped early (client disconnected): close the upstream request.
      if (outcome === 'cancelled') await it.return?.(undefined);
      this.record(target, done.attempts, outcome, startedAt, opts.requestId);
    }
  }

  private async run<T, R>(
    targets: CallTarget<R>[],
    opts: ExecuteOptions,
    attempt: (target: CallTarget<R>, ctx: AdapterContext) => Promise<T>,
  ): Promise<Committed<T, R>> {
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    let attempts = 0;
    let primaryError: ProviderError | undefined;
    for (const [i, target] of targets.entries()) {
      let lastError: ProviderError | undefined;
      let pool: readonly Endpoint[] | undefined;
      try {
        const resolved = await opts.resolveEndpoint(target.service);
        pool = Array.isArray(resolved) ? resolved : [resolved as Endpoint];
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        lastError = err;
        this.record(target, attempts, OUTCOME[err.kind], undefined, opts.requestId, err);
      }
      if (pool && pool.length > 0) {
        // Keys this call has given up on: a key-specific failure moves the call to another
        // member at once (no backoff, no retry spent); once every member has failed, the
        // ordinary retries (with backoff) and then the fallbacks take over.
        const spent = new Set<string>();
        const untried = () => pool.some((e) => !spent.has(e.keyId));
        for (let retry = 0; ;) {
          if (opts.signal?.aborted) throw abortedError(target.service);
          const endpoint = this.balancer.pick(pool, spent);
          // Per key and per tenant, as before: each member has its own circuit.
          const breaker = this.breakers.get(target.service, endpoint.keyId, opts.tenant);
          if (!breaker.tryAcquire()) {
            lastError = circuitOpenError(target.service, breaker.retryAfterMs);
            this.record(target, attempts, 'circuit_open', undefined, opts.requestId, lastError);
            spent.add(endpoint.keyId);
            if (untried()) continue;
            break;
          }
          attempts += 1;
          const deadline = new Deadline(timeoutMs, opts.signal);
          const startedAt = performance.now();
          try {
            const value = await attempt(target, {
              apiKey: endpoint.apiKey,
              baseUrl: endpoint.baseUrl,
              tenantEndpoint: endpoint.tenantEndpoint,
              signal: deadline.signal,
              timeoutMs,
            });
            this.balancer.onSuccess(endpoint.keyId);
            keyMetrics.calls.inc({
              service: target.service,
              key_name: keyLabel(endpoint),
              outcome: 'success',
            });
            return { value, target, attempts, deadline, breaker, startedAt };
          } catch (raw) {
            deadline.dispose();
            const err = this.normalize(raw, target, deadline, opts);
            this.record(
              target,
              attempts,
              OUTCOME[err.kind],
              startedAt,
              opts.requestId,
              err,
              endpoint,
            );
            keyMetrics.calls.inc({
              service: target.service,
              key_name: keyLabel(endpoint),
              outcome: OUTCOME[err.kind],
            });
            // Only evidence about the provider counts; client errors and aborts are neither
            // failures nor successes (a tenant's bad requests must not move the rate either way).
            if (err.countsAgainstCircuit) breaker.onFailure();
            else breaker.release();
            if (err.kind === 'aborted') throw err;
            // A fallback's 400 is about the request as we reshaped it, not the client's own
            // request: move on to the next target and report the primary's failure.
            if (!err.fallbackable && i === 0) throw err;
            lastError = err;
            // A lone key has nowhere to shift its traffic: its breaker alone guards it.
            if (isKeySpecific(err.kind) && pool.length > 1) {
              const ms = this.balancer.onFailure(endpoint.keyId, err.retryAfterMs);
              keyMetrics.cooldowns.inc({ service: target.service, key_name: keyLabel(endpoint) });
              this.logger.warn(
                `provider key ${target.service}:${keyLabel(endpoint)} cooling down for ${ms} ms (${OUTCOME[err.kind]})`,
              );
              spent.add(endpoint.keyId);
              if (untried()) continue;
            }
            if (!err.retryable || retry >= this.opts.maxRetries) break;
            const delay = retryDelay(retry, err.retryAfterMs, this.opts);
            if (delay === undefined) break;
            retry += 1;
            await sleep(delay, opts.signal, () => abortedError(target.service));
          }
        }
      }
      primaryError ??= lastError;
      const next = targets[i + 1];
      if (next) {
        this.logger.warn(
          `falling back from ${target.service}/${target.model} to ${next.service}/${next.model}: ${lastError?.message}`,
        );
      }
    }
    // The client chose the primary; its failure is the one worth reporting.
    throw primaryError ?? new Error('no call targets');
  }

  private normalize(
    raw: unknown,
    target: CallTarget<unknown>,
    deadline: Deadline,
    opts: ExecuteOptions,
  ): ProviderError {
    if (deadline.fired) return timeoutError(target.service, deadline.timeoutMs);
    if (opts.signal?.aborted) return abortedError(target.service);
    if (raw instanceof ProviderError) return raw;
    if (raw instanceof AppException) {
      // A request the adapter could not translate (e.g. a bad image URL): the client's problem.
      return new ProviderError(raw.code, raw.message, 'client', target.service, {
        status: raw.status,
        param: raw.param,
        details:
          typeof raw.details === 'object' && raw.details !== null
            ? (raw.details as Record<string, unknown>)
            : {},
      });
    }
    this.logger.error(
      `unexpected failure calling ${target.service}/${target.model}`,
      raw instanceof Error ? raw.stack : String(raw),
    );
    return malformedError(target.service, 'unexpected data');
  }

  private record(
    target: CallTarget<unknown>,
    attempt: number,
    outcome: string,
    startedAt: number | undefined,
    requestId: string | undefined,
    err?: ProviderError,
    endpoint?: Endpoint,
  ): void {
    const labels = { service: target.service, model: target.metricsModel ?? target.model, outcome };
    const latencyMs = startedAt === undefined ? undefined : performance.now() - startedAt;
    providerMetrics.attempts.inc(labels);
    if (latencyMs !== undefined) providerMetrics.latency.observe(labels, latencyMs / 1000);
    const line =
      `provider call ${target.service}/${target.model} attempt=${attempt} outcome=${outcome}` +
      (latencyMs === undefined ? '' : ` latency_ms=${Math.round(latencyMs)}`) +
      (requestId ? ` request_id=${requestId}` : '') +
      (endpoint?.label ? ` key=${endpoint.label}` : '') +
      (err ? ` error="${err.message}"` : '');
    // Successes are in the access log, the metrics and the call log already: one more info
    // line per request would double the log volume. Failures are worth a line each.
    if (outcome === 'success' || outcome === 'cancelled') this.logger.debug(line);
    else this.logger.warn(line);
  }
}
