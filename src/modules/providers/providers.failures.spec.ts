/**
 * ProvidersService failure paths against the mock upstream through the real SDKs: each error
 * class, retries, fallbacks, timeouts, client aborts, malformed data and the circuit breaker.
 */
import { Logger } from '@nestjs/common';
import { parseAppEnv } from '../../app.env';
import { AppConfigModule } from '../../config';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  mockDirective,
  startMockUpstream,
  type MockUpstream,
} from '../../../test/mock-upstream/server';
import { AppException } from '../../common/errors';
import { metricsRegistry } from '../../common/metrics/prom';
import type { CallOptions, ChatRequest, ServiceName, StreamEvent } from './provider.types';
import { ProvidersModule } from './providers.module';
import { ProvidersService } from './providers.service';
import { RESILIENCE_OPTIONS, type ResilienceOptions } from './resilience/resilience.options';

// Keep the output readable; the attempt log lines are checked with spies where it matters.
beforeAll(() => Logger.overrideLogger(false));

const OPENAI_KEY = 'sk-test-openai-secret-1234567890abcdef';
const OPTIONS: ResilienceOptions = {
  timeoutMs: 5000,
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 4,
  maxRetryAfterMs: 1000,
  breakerWindowMs: 60_000,
  breakerMinCalls: 1000,
  breakerFailureRate: 0.5,
  breakerMinTenants: 3,
  breakerCooldownMs: 60_000,
  random: () => 0.5,
};

let mock: MockUpstream;
let app: TestingModule;
let providers: ProvidersService;
let seq = 0;
const nextKey = () => `fail-${++seq}`;

async function boot(
  options: ResilienceOptions,
  extra: Record<string, string> = {},
): Promise<TestingModule> {
  const env = parseAppEnv({
    NODE_ENV: 'test',
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${mock.url}/v1`,
    ANTHROPIC_API_KEY: 'sk-ant-test-000000000000',
    ANTHROPIC_BASE_URL: mock.url,
    MISTRAL_API_KEY: 'mistral-test-key',
    MISTRAL_BASE_URL: `${mock.url}/v1`,
    GROQ_API_KEY: '',
    GROQ_BASE_URL: '',
    ...extra,
  });
  return Test.createTestingModule({
    imports: [AppConfigModule.forRoot(env), ProvidersModule],
  })
    .overrideProvider(RESILIENCE_OPTIONS)
    .useValue(options)
    .compile();
}

function ask(
  service: ServiceName,
  model: string,
  text: string,
  extra: Partial<ChatRequest> = {},
): ChatRequest {
  return { service, model, messages: [{ role: 'user', content: text }], ...extra };
}

const openai = (text: string, extra?: Partial<ChatRequest>) =>
  ask('openai', 'gpt-4o-mini', text, extra);
const anthropic = (text: string) => ask('anthropic', 'claude-haiku-4-5', text);

async function failure(p: Promise<unknown>): Promise<AppException> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppException);
    return err as AppException;
  }
  throw new Error('expected the call to fail');
}

/** Consumes a stream, returning the events before the failure and the failure itself. */
async function drain(
  events: AsyncIterable<StreamEvent>,
): Promise<{ events: StreamEvent[]; error?: AppException }> {
  const seen: StreamEvent[] = [];
  try {
    for await (const e of events) seen.push(e);
  } catch (err) {
    expect(err).toBeInstanceOf(AppException);
    return { events: seen, error: err as AppException };
  }
  return { events: seen };
}

beforeAll(async () => {
  mock = await startMockUpstream();
  app = await boot(OPTIONS);
  providers = app.get(ProvidersService);
});

afterAll(async () => {
  await app?.close();
  await mock?.close();
});

describe('upstream errors', () => {
  it('400 -> VALIDATION_FAILED, not retried, not failed over', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, status: 400 })}`), {
        fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
      }),
    );
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(err.details).toMatchObject({ upstream_status: 400, service: 'openai' });
    expect(err.message).toContain('mock error 400');
    expect(mock.requests({ key })).toHaveLength(1);
  });

  it('401 -> PROVIDER_ERROR with upstream_status, not retried, the key never echoed', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, status: 401 })}`)),
    );
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      status: 502,
      details: { upstream_status: 401 },
    });
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(OPENAI_KEY);
    expect(mock.requests({ key })).toHaveLength(1);
  });

  it('429 -> retried, then RATE_LIMITED 429 with Retry-After', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, status: 429, retry_after_ms: 5 })}`)),
    );
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      details: { upstream_status: 429 },
    });
    expect(err.headers).toEqual({ 'Retry-After': '1' });
    expect(mock.requests({ key })).toHaveLength(3);
  });

  it('429 asking for a longer wait than we hold requests -> no retry, Retry-After passed on', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, status: 429, retry_after: 120 })}`)),
    );
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      headers: { 'Retry-After': '120' },
    });
    expect(mock.requests({ key })).toHaveLength(1);
  });

  it('500 -> retried, then PROVIDER_ERROR 502 with upstream_status 500', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, status: 500 })}`)),
    );
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      status: 502,
      details: { upstream_status: 500 },
    });
    expect(mock.requests({ key })).toHaveLength(3);
  });

  it('anthropic 529 (overloaded) -> retried, then PROVIDER_ERROR with upstream_status 529', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(anthropic(`x ${mockDirective({ key, status: 529 })}`)),
    );
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { upstream_status: 529, upstream_type: 'overloaded_error' },
    });
    expect(err.message).toContain('Overloaded');
    expect(mock.requests({ key })).toHaveLength(3);
  });

  it('anthropic 400 -> VALIDATION_FAILED', async () => {
    const err = await failure(providers.complete(anthropic(`x ${mockDirective({ status: 400 })}`)));
    expect(err).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      details: { upstream_status: 400 },
    });
  });
});

describe('retries and fallbacks', () => {
  it('retries a 503 and succeeds, reporting the attempts', async () => {
    const key = nextKey();
    const result = await providers.complete(
      openai(`Hi ${mockDirective({ key, fail_first: 2, status: 503 })}`),
    );
    expect(result).toMatchObject({ content: 'Echo: Hi', service: 'openai', attempts: 3 });
    expect(mock.requests({ key }).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('retries a stream that fails before its first event', async () => {
    const key = nextKey();
    const { events, error } = await drain(
      providers.stream(openai(`Hi ${mockDirective({ key, fail_first: 1, status: 500 })}`)),
    );
    expect(error).toBeUndefined();
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e.type === 'text' ? e.text : ''))
        .join(''),
    ).toBe('Echo: Hi');
    expect(mock.requests({ key }).map((r) => r.status)).toEqual([500, 200]);
  });

  it('falls back to the next service once the primary is exhausted, adapting parameters', async () => {
    const key = nextKey();
    const result = await providers.complete(
      openai(`Hi ${mockDirective({ key, fail_first: 3, status: 500 })}`, {
        params: { temperature: 0.4, seed: 1 },
      }),
      { fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }] },
    );
    expect(result).toMatchObject({
      service: 'anthropic',
      model: 'claude-haiku-4-5',
      content: 'Echo: Hi',
      attempts: 4,
    });
    const recorded = mock.requests({ key });
    expect(recorded.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/messages',
    ]);
    // Anthropic takes temperature (on API version 2023-06-01) but not seed: seed is dropped for
    // the fallback, not an error; max_tokens is the model's own maximum.
    const body = recorded[3].body as Record<string, unknown>;
    expect(body.temperature).toBe(0.4);
    expect(recorded[3].headers['anthropic-version']).toBe('2023-06-01');
    expect(body.seed).toBeUndefined();
    expect(body.max_tokens).toBe(64000);
  });

  it('falls back from a stream whose primary keeps failing; start names who answered', async () => {
    const key = nextKey();
    const { events, error } = await drain(
      providers.stream(openai(`Hi ${mockDirective({ key, fail_first: 3, status: 502 })}`), {
        fallbacks: [{ service: 'mistral', model: 'mistral-small-latest' }],
      }),
    );
    expect(error).toBeUndefined();
    expect(events[0]).toMatchObject({
      type: 'start',
      service: 'mistral',
      model: 'mistral-small-latest',
    });
  });

  it('falls over a service without a key', async () => {
    const result = await providers.complete(ask('groq', 'llama-3.1-8b-instant', 'Hi'), {
      fallbacks: [{ service: 'openai', model: 'gpt-4o-mini' }],
    });
    expect(result).toMatchObject({ service: 'openai', content: 'Echo: Hi', attempts: 1 });
  });

  it("reports the primary's error when every target fails", async () => {
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ status: 503 })}`), {
        fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
      }),
    );
    expect(err).toMatchObject({
      code: 'PROVIDER_ERROR',
      details: { service: 'openai', upstream_status: 503 },
    });
  });
});

describe('timeouts and aborts', () => {
  it('times out a slow answer (PROVIDER_TIMEOUT), aborting the upstream request', async () => {
    const key = nextKey();
    const err = await failure(
      providers.complete(openai(`x ${mockDirective({ key, delay_ms: 3000 })}`), { timeoutMs: 100 }),
    );
    expect(err).toMatchObject({ code: 'PROVIDER_TIMEOUT', status: 504 });
    await mock.waitFor((r) => r.key === key && r.aborted === true);
    // A timeout is not retried on the same service (it would likely time out again).
    expect(mock.requests({ key })).toHaveLength(1);
  });

  it('times out a stream that stalls mid-way (idle timeout)', async () => {
    const key = nextKey();
    const { events, error } = await drain(
      providers.stream(openai(`one two three four ${mockDirective({ key, stall_after: 2 })}`), {
        timeoutMs: 150,
      }),
    );
    expect(events.filter((e) => e.type === 'text')).toHaveLength(2);
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    await mock.waitFor((r) => r.key === key && r.aborted === true);
    expect(mock.requests({ key })).toHaveLength(1);
  });

  it.each([['openai', openai] as const, ['anthropic', anthropic] as const])(
    '%s: a client abort mid-stream aborts the upstream request',
    async (_name, build) => {
      const key = nextKey();
      const controller = new AbortController();
      const opts: CallOptions = { signal: controller.signal };
      const seen: StreamEvent[] = [];
      let error: unknown;
      try {
        for await (const e of providers.stream(
          build(`one two three four ${mockDirective({ key, stall_after: 2 })}`),
          opts,
        )) {
          seen.push(e);
          if (seen.filter((s) => s.type === 'text').length === 2) controller.abort();
        }
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'PROVIDER_ERROR', details: { reason: 'aborted' } });
      await mock.waitFor((r) => r.key === key && r.aborted === true);
    },
  );

  it('a consumer that stops iterating aborts the upstream request', async () => {
    const key = nextKey();
    for await (const e of providers.stream(
      openai(`one two three ${mockDirective({ key, stall_after: 2 })}`),
    )) {
      if (e.type === 'text') break;
    }
    await mock.waitFor((r) => r.key === key && r.aborted === true);
  });

  it('an abort while waiting for the answer ends the call without retry or fallback', async () => {
    const key = nextKey();
    const controller = new AbortController();
    const call = providers.complete(openai(`x ${mockDirective({ key, delay_ms: 3000 })}`), {
      signal: controller.signal,
      fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
    });
    await mock.waitFor((r) => r.key === key);
    controller.abort();
    expect(await failure(call)).toMatchObject({ details: { reason: 'aborted' } });
    await mock.waitFor((r) => r.key === key && r.aborted === true);
    expect(mock.requests({ key })).toHaveLength(1);
  });
});

describe('malformed upstream data', () => {
  it.each([['openai', openai] as const, ['anthropic', anthropic] as const])(
    '%s: invalid JSON body -> PROVIDER_ERROR, not retried',
    async (_name, build) => {
      const key = nextKey();
      const err = await failure(
        providers.complete(build(`x ${mockDirective({ key, malformed: true })}`)),
      );
      expect(err).toMatchObject({
        code: 'PROVIDER_ERROR',
        status: 502,
        details: { reason: 'malformed_response' },
      });
      expect(mock.requests({ key })).toHaveLength(1);
    },
  );

  it.each([['openai', openai] as const, ['anthropic', anthropic] as const])(
    '%s: a garbage stream frame -> PROVIDER_ERROR after the events already sent',
    async (_name, build) => {
      const { events, error } = await drain(
        providers.stream(build(`one two three ${mockDirective({ malformed: true })}`)),
      );
      expect(events[0]).toMatchObject({ type: 'start' });
      expect(error).toMatchObject({
        code: 'PROVIDER_ERROR',
        details: { reason: 'malformed_response' },
      });
    },
  );

  it.each([['openai', openai, 500] as const, ['anthropic', anthropic, 529] as const])(
    '%s: an error event mid-stream -> PROVIDER_ERROR, not retried',
    async (_name, build, status) => {
      const key = nextKey();
      const { events, error } = await drain(
        providers.stream(build(`one two ${mockDirective({ key, stream_error: true })}`)),
      );
      expect(events.some((e) => e.type === 'text')).toBe(true);
      expect(error).toMatchObject({ code: 'PROVIDER_ERROR', details: { upstream_status: status } });
      expect(mock.requests({ key })).toHaveLength(1);
    },
  );
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, refuses calls without reaching the provider, lets fallbacks serve', async () => {
    const breakerApp = await boot(
      { ...OPTIONS, maxRetries: 0, breakerMinCalls: 2 },
      { OPENAI_API_KEY: 'sk-breaker-key-0000000000' },
    );
    try {
      const svc = breakerApp.get(ProvidersService);
      const key = nextKey();
      for (let i = 0; i < 2; i++) {
        await expect(
          svc.complete(openai(`x ${mockDirective({ key, status: 500 })}`)),
        ).rejects.toMatchObject({
          details: { upstream_status: 500 },
        });
      }
      const err = await failure(svc.complete(openai(`x ${mockDirective({ key })}`)));
      expect(err).toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        status: 503,
        details: { reason: 'circuit_open' },
      });
      expect(Number(err.headers?.['Retry-After'])).toBeGreaterThan(0);
      expect(mock.requests({ key })).toHaveLength(2);

      const served = await svc.complete(openai('Hi'), {
        fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
      });
      expect(served.service).toBe('anthropic');

      // Another org's key has its own circuit.
      const other = await boot(
        { ...OPTIONS, maxRetries: 0, breakerMinCalls: 2 },
        { OPENAI_API_KEY: 'sk-other-key-000000000000' },
      );
      try {
        await expect(other.get(ProvidersService).complete(openai('Hi'))).resolves.toMatchObject({
          service: 'openai',
        });
      } finally {
        await other.close();
      }
    } finally {
      await breakerApp.close();
    }
  });
});

describe('metrics', () => {
  it('counts attempts by outcome', async () => {
    await providers.complete(openai('metrics'));
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(
      /gateway_provider_attempts_total\{service="openai",model="gpt-4o-mini",outcome="success"\} \d+/,
    );
    expect(text).toMatch(
      /gateway_provider_attempts_total\{service="openai",model="gpt-4o-mini",outcome="server_error"\} \d+/,
    );
    expect(text).toContain('gateway_provider_latency_seconds_bucket');
    expect(text).toContain('gateway_provider_circuit_transitions_total');
    expect(text).not.toMatch(/gateway_provider_circuit\w*\{[^}]*key=/);
  });
});
