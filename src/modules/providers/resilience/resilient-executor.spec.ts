import { Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import type { AdapterContext } from '../adapters/provider-adapter';
import { ProviderError, type FailureKind } from '../errors/provider-error';
import type { ServiceName, StreamEvent } from '../provider.types';
import { CircuitBreakerRegistry } from './circuit-breaker';
import type { ResilienceOptions } from './resilience.options';
import { type CallTarget, type ExecuteOptions, ResilientExecutor } from './resilient-executor';

// Keep the output readable; the attempt log lines are checked with spies where it matters.
beforeAll(() => Logger.overrideLogger(false));

const OPTIONS: ResilienceOptions = {
  timeoutMs: 1000,
  maxRetries: 2,
  baseDelayMs: 1,
  maxDelayMs: 2,
  maxRetryAfterMs: 100,
  breakerWindowMs: 60_000,
  breakerMinCalls: 3,
  breakerFailureRate: 0.5,
  breakerMinTenants: 3,
  breakerCooldownMs: 60_000,
  random: () => 0,
};

const target = (service: ServiceName, model = 'm'): CallTarget => ({
  service,
  model,
  request: { service, model, messages: [{ role: 'user', content: 'hi' }] },
});

const fail = (kind: FailureKind, service: ServiceName = 'openai') =>
  new ProviderError(ErrorCode.PROVIDER_ERROR, `${kind} failure`, kind, service);

const execOpts = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
  resolveEndpoint: (service) =>
    Promise.resolve({ apiKey: `key-${service}`, baseUrl: 'http://x', keyId: service }),
  ...extra,
});

function executor(opts: Partial<ResilienceOptions> = {}) {
  const o = { ...OPTIONS, ...opts };
  return new ResilientExecutor(o, new CircuitBreakerRegistry(o));
}

/** A fake call that plays a script: an error to throw, or a value to return, per call. */
function script<T>(steps: Array<ProviderError | Error | T>) {
  const calls: Array<{ service: ServiceName; ctx: AdapterContext }> = [];
  const fn = (t: CallTarget, ctx: AdapterContext): Promise<T> => {
    calls.push({ service: t.service, ctx });
    const step = steps[calls.length - 1];
    return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
  };
  return { fn, calls };
}

describe('ResilientExecutor.complete', () => {
  it('retries retryable failures, then succeeds', async () => {
    const { fn, calls } = script([fail('server'), fail('connection'), 'ok']);
    const done = await executor().complete([target('openai')], fn, execOpts());
    expect(done).toMatchObject({ value: 'ok', attempts: 3 });
    expect(calls).toHaveLength(3);
    expect(calls[0].ctx).toMatchObject({
      apiKey: 'key-openai',
      baseUrl: 'http://x',
      timeoutMs: 1000,
    });
  });

  it('logs each attempt with service, model, attempt number, outcome and latency (failures at warn, successes at debug)', async () => {
    const lines: string[] = [];
    const spies = [
      jest
        .spyOn(Logger.prototype, 'warn')
        .mockImplementation((m: unknown) => void lines.push(`warn: ${String(m)}`)),
      jest
        .spyOn(Logger.prototype, 'log')
        .mockImplementation((m: unknown) => void lines.push(`log: ${String(m)}`)),
      jest
        .spyOn(Logger.prototype, 'debug')
        .mockImplementation((m: unknown) => void lines.push(`debug: ${String(m)}`)),
    ];
    try {
      const { fn } = script([fail('server'), 'ok']);
      await executor().complete([target('openai', 'gpt-x')], fn, execOpts({ requestId: 'req-1' }));
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(lines).toEqual([
      expect.stringMatching(
        /^warn: provider call openai\/gpt-x attempt=1 outcome=server_error latency_ms=\d+ request_id=req-1 error="server failure"$/,
      ),
      expect.stringMatching(
        /^debug: provider call openai\/gpt-x attempt=2 outcome=success latency_ms=\d+ request_id=req-1$/,
      ),
    ]);
  });

  it('does not retry or fail over client errors', async () => {
    const { fn, calls } = script([fail('client'), 'never']);
    await expect(
      executor().complete([target('openai'), target('groq')], fn, execOpts()),
    ).rejects.toMatchObject({
      kind: 'client',
    });
    expect(calls).toHaveLength(1);
  });

  it('fails over without retrying on a bad key, a missing model or a timeout', async () => {
    for (const kind of ['auth', 'refused', 'timeout', 'malformed'] as const) {
      const { fn, calls } = script([fail(kind), 'from groq']);
      const done = await executor().complete([target('openai'), target('groq')], fn, execOpts());
      expect(done).toMatchObject({ value: 'from groq', attempts: 2, target: { service: 'groq' } });
      expect(calls.map((c) => c.service)).toEqual(['openai', 'groq']);
    }
  });

  it("moves past a fallback's client error and still reports the primary's failure", async () => {
    const { fn, calls } = script([
      fail('server'),
      fail('client', 'groq'),
      fail('server', 'mistral'),
    ]);
    await expect(
      executor({ maxRetries: 0 }).complete(
        [target('openai'), target('groq'), target('mistral')],
        fn,
        execOpts(),
      ),
    ).rejects.toMatchObject({ service: 'openai', kind: 'server' });
    expect(calls.map((c) => c.service)).toEqual(['openai', 'groq', 'mistral']);
  });

  it('tries fallbacks in order and counts every attempt', async () => {
    const { fn, calls } = script([
      fail('server'),
      fail('server'),
      fail('server'),
      fail('rate_limited', 'groq'),
      'x',
    ]);
    const done = await executor({ maxRetries: 2 }).complete(
      [target('openai'), target('groq'), target('mistral')],
      fn,
      execOpts(),
    );
    expect(done.target.service).toBe('groq');
    expect(done.attempts).toBe(5);
    expect(calls.map((c) => c.service)).toEqual(['openai', 'openai', 'openai', 'groq', 'groq']);
  });

  it("reports the primary's error when everything fails", async () => {
    const { fn } = script([fail('server'), fail('server', 'groq')]);
    await expect(
      executor({ maxRetries: 0 }).complete([target('openai'), target('groq')], fn, execOpts()),
    ).rejects.toMatchObject({ service: 'openai', kind: 'server' });
  });

  it('moves on when a target has no key, without calling it', async () => {
    const { fn, calls } = script(['from groq']);
    const done = await executor().complete(
      [target('openai'), target('groq')],
      fn,
      execOpts({
        resolveEndpoint: (service) =>
          service === 'openai'
            ? Promise.reject(
                new ProviderError(ErrorCode.PROVIDER_UNAVAILABLE, 'no key', 'unavailable', service),
              )
            : Promise.resolve({ apiKey: 'k', baseUrl: 'http://x', keyId: 'g' }),
      }),
    );
    expect(done).toMatchObject({ value: 'from groq', attempts: 1 });
    expect(calls.map((c) => c.service)).toEqual(['groq']);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const fn = () => {
      calls.push(1);
      queueMicrotask(() => controller.abort());
      return Promise.reject(
        new ProviderError(ErrorCode.RATE_LIMITED, 'slow down', 'rate_limited', 'openai', {
          retryAfterMs: 100,
        }),
      );
    };
    await expect(
      executor().complete(
        [target('openai'), target('groq')],
        fn,
        execOpts({ signal: controller.signal }),
      ),
    ).rejects.toMatchObject({ kind: 'aborted' });
    expect(calls).toHaveLength(1);
  });

  it('turns an AppException from an adapter into a client error keeping its param', async () => {
    const bad = new AppException(ErrorCode.VALIDATION_FAILED, 'bad image', {
      status: 400,
      param: 'messages[0]',
    });
    const { fn } = script([bad]);
    await expect(executor().complete([target('anthropic')], fn, execOpts())).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      param: 'messages[0]',
      kind: 'client',
    });
  });

  it('treats an unexpected throw as a malformed response (and fails over)', async () => {
    const { fn } = script([new TypeError('boom'), 'ok']);
    const done = await executor().complete([target('openai'), target('groq')], fn, execOpts());
    expect(done.target.service).toBe('groq');
  });

  it('opens the circuit after repeated failures and skips that target', async () => {
    const ex = executor({ maxRetries: 0, breakerMinCalls: 2 });
    const { fn, calls } = script([fail('server'), fail('server'), 'from groq']);
    await expect(ex.complete([target('openai')], fn, execOpts())).rejects.toBeDefined();
    await expect(ex.complete([target('openai')], fn, execOpts())).rejects.toBeDefined();
    const done = await ex.complete([target('openai'), target('groq')], fn, execOpts());
    expect(done).toMatchObject({ value: 'from groq', attempts: 1 });
    expect(calls.map((c) => c.service)).toEqual(['openai', 'openai', 'groq']);
    await expect(ex.complete([target('openai')], fn, execOpts())).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      details: { reason: 'circuit_open' },
    });
  });
});

describe('ResilientExecutor circuit accounting', () => {
  it('never counts client errors, rejected keys or aborts against the circuit', async () => {
    const ex = executor({ maxRetries: 0, breakerMinCalls: 2 });
    const statuses = [400, 401, 403, 404, 413, 422, 409];
    const failures = statuses.map(
      (status) =>
        new ProviderError(
          ErrorCode.PROVIDER_ERROR,
          `${status}`,
          status === 409 ? 'server' : 'client',
          'openai',
          {
            details: { upstream_status: status },
          },
        ),
    );
    const { fn } = script([...failures, fail('auth'), fail('aborted'), 'still served']);
    for (let i = 0; i < failures.length + 2; i++) {
      await expect(ex.complete([target('openai')], fn, execOpts())).rejects.toBeDefined();
    }
    await expect(ex.complete([target('openai')], fn, execOpts())).resolves.toMatchObject({
      value: 'still served',
    });
  });

  it("opens only the failing org's view of a shared key; another org is still served", async () => {
    const ex = executor({ maxRetries: 0, breakerMinCalls: 2 });
    const { fn, calls } = script([fail('server'), fail('server'), 'for org b']);
    for (let i = 0; i < 2; i++) {
      await expect(
        ex.complete([target('openai')], fn, execOpts({ tenant: 'org-a' })),
      ).rejects.toBeDefined();
    }
    const refused = await ex
      .complete([target('openai')], fn, execOpts({ tenant: 'org-a' }))
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      details: { reason: 'circuit_open' },
    });
    expect((refused as ProviderError).retryAfterMs).toBeGreaterThan(0);
    expect((refused as ProviderError).headers?.['Retry-After']).toBeDefined();
    await expect(
      ex.complete([target('openai')], fn, execOpts({ tenant: 'org-b' })),
    ).resolves.toMatchObject({ value: 'for org b' });
    expect(calls).toHaveLength(3);
  });
});

describe('ResilientExecutor.stream', () => {
  const start: StreamEvent = { type: 'start', id: '1', service: 'openai', model: 'm', created: 0 };

  function streams(plans: Array<{ events: StreamEvent[]; failAfter?: ProviderError }>) {
    let n = 0;
    const opened: ServiceName[] = [];
    const open = (t: CallTarget): AsyncIterable<StreamEvent> => {
      opened.push(t.service);
      const plan = plans[n++];
      return (async function* () {
        for (const e of plan.events) yield e;
        if (plan.failAfter) throw plan.failAfter;
      })();
    };
    return { open, opened };
  }

  async function drain(it: AsyncIterable<StreamEvent>) {
    const seen: StreamEvent[] = [];
    try {
      for await (const e of it) seen.push(e);
      return { seen };
    } catch (error) {
      return { seen, error };
    }
  }

  it('retries a stream that fails before its first event', async () => {
    const { open, opened } = streams([
      { events: [], failAfter: fail('server') },
      { events: [start] },
    ]);
    const { seen, error } = await drain(executor().stream([target('openai')], open, execOpts()));
    expect(error).toBeUndefined();
    expect(seen).toEqual([start]);
    expect(opened).toEqual(['openai', 'openai']);
  });

  it('never retries or fails over once an event has been yielded', async () => {
    const { open, opened } = streams([
      { events: [start, { type: 'text', text: 'Hel' }], failAfter: fail('server') },
      { events: [start] },
    ]);
    const { seen, error } = await drain(
      executor().stream([target('openai'), target('groq')], open, execOpts()),
    );
    expect(seen.map((e) => e.type)).toEqual(['start', 'text']);
    expect(error).toMatchObject({ kind: 'server' });
    expect(opened).toEqual(['openai']);
  });

  it('rejects an empty stream as malformed', async () => {
    const { open } = streams([{ events: [] }]);
    const { error } = await drain(
      executor({ maxRetries: 0 }).stream([target('openai')], open, execOpts()),
    );
    expect(error).toMatchObject({ kind: 'malformed' });
  });
});

describe('ResilientExecutor with a pool of keys', () => {
  const poolOpts = (tenant?: string): ExecuteOptions => ({
    tenant,
    resolveEndpoint: () =>
      Promise.resolve([
        { apiKey: 'key-a', baseUrl: 'http://x', keyId: 'a', weight: 1, label: 'a' },
        { apiKey: 'key-b', baseUrl: 'http://x', keyId: 'b', weight: 1, label: 'b' },
      ]),
  });

  it('moves a key-specific failure to another key at once, spending no retry', async () => {
    const { fn, calls } = script([fail('rate_limited'), 'ok']);
    const done = await executor({ maxRetries: 0 }).complete([target('openai')], fn, poolOpts());
    expect(done).toMatchObject({ value: 'ok', attempts: 2 });
    expect(calls.map((c) => c.ctx.apiKey).sort()).toEqual(['key-a', 'key-b']);
  });

  it('does not switch keys for failures that are not the key’s (a timeout, a bad request)', async () => {
    const { fn, calls } = script([fail('client')]);
    await expect(
      executor({ maxRetries: 0 }).complete([target('openai')], fn, poolOpts()),
    ).rejects.toMatchObject({ kind: 'client' });
    expect(calls).toHaveLength(1);
  });

  it('after every key failed, falls back to the ordinary retries, then the next target', async () => {
    const { fn, calls } = script([fail('server'), fail('server'), fail('server'), 'ok']);
    const done = await executor({ maxRetries: 1 }).complete(
      [target('openai'), target('groq')],
      fn,
      poolOpts(),
    );
    // Two keys, one retry (a third attempt on openai), then groq's answer.
    expect(calls.map((c) => c.service)).toEqual(['openai', 'openai', 'openai', 'groq']);
    expect(done).toMatchObject({ value: 'ok', attempts: 4, target: { service: 'groq' } });
  });

  it("skips a key whose circuit is open for the calling org, keeping the breaker's per-org view", async () => {
    const ex = executor({ breakerMinCalls: 1, breakerMinTenants: 3 });
    // Org X opens its own view of key a's circuit (one org is not enough to open it for all).
    const openA = script([fail('server')]);
    await ex
      .complete([target('openai')], openA.fn, {
        tenant: 'org-x',
        resolveEndpoint: () =>
          Promise.resolve([{ apiKey: 'key-a', baseUrl: 'http://x', keyId: 'a' }]),
      })
      .catch(() => undefined);
    const x = script(['ok', 'ok']);
    await ex.complete([target('openai')], x.fn, poolOpts('org-x'));
    await ex.complete([target('openai')], x.fn, poolOpts('org-x'));
    expect(x.calls.map((c) => c.ctx.apiKey)).toEqual(['key-b', 'key-b']);
    // Another org still reaches key a.
    const y = script(['ok', 'ok']);
    await ex.complete([target('openai')], y.fn, poolOpts('org-y'));
    await ex.complete([target('openai')], y.fn, poolOpts('org-y'));
    expect(y.calls.map((c) => c.ctx.apiKey).sort()).toEqual(['key-a', 'key-b']);
  });
});
