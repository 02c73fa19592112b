import { Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../../common/errors';
import type { ErrorReporter } from '../apm/error-reporter';
import type { ErrorWebhooks } from '../webhooks/error-webhooks.service';
import { ErrorMonitor } from './error-monitor.service';
import type { ErrorReport } from './error-report';
import { errorMetrics } from './errors.metrics';

const request = (over: Record<string, unknown> = {}) =>
  ({
    id: 'req-1',
    method: 'POST',
    routeOptions: { url: '/v1/chat/completions' },
    principal: { orgId: 'org-1', userId: 'user-1', scopes: [], via: 'jwt' },
    body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'a secret prompt' }] },
    ...over,
  }) as unknown as FastifyRequest;

const pipelineCtx = {
  request_id: 'req-1',
  org_id: 'org-1',
  user_id: 'user-1',
  service: 'openai',
  model: 'gpt-4o',
  agent_id: 'agt_1',
};

/** A provider failure as the providers module raises it (matched by shape, not class). */
const providerError = (code: ErrorCode, kind: string, status?: number) =>
  Object.assign(new AppException(code, 'openai returned 500: mock error 500', { status }), {
    name: 'ProviderError',
    kind,
    service: 'openai',
  });

async function count(labels: { code: string; service: string; route: string }): Promise<number> {
  const { values } = await errorMetrics.errors.get();
  const hit = values.find(
    (v) =>
      v.labels.code === labels.code &&
      v.labels.service === labels.service &&
      v.labels.route === labels.route,
  );
  return hit?.value ?? 0;
}

describe('ErrorMonitor', () => {
  let captured: ErrorReport[];
  let notified: ErrorReport[];
  let monitor: ErrorMonitor;
  let logged: string[];

  beforeEach(() => {
    jest.useFakeTimers();
    captured = [];
    notified = [];
    logged = [];
    const reporter = { captureError: (_e: unknown, r: ErrorReport) => captured.push(r) };
    const webhooks = { notify: async (r: ErrorReport) => void notified.push(r) };
    monitor = new ErrorMonitor(
      reporter as unknown as ErrorReporter,
      webhooks as unknown as ErrorWebhooks,
    );
    for (const level of ['error', 'warn'] as const) {
      jest
        .spyOn(Logger.prototype, level)
        .mockImplementation((...args: unknown[]) => void logged.push(JSON.stringify(args)));
    }
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('reports a failure seen by the pipeline and then the filter once, with what both know', async () => {
    const labels = { code: 'PROVIDER_ERROR', service: 'openai', route: '/v1/chat/completions' };
    const before = await count(labels);
    const err = providerError(ErrorCode.PROVIDER_ERROR, 'server');
    monitor.onPipelineError(err, pipelineCtx);
    monitor.onHttpError(err, request());
    jest.advanceTimersByTime(1_000);
    monitor.onHttpError(err, request());

    expect(await count(labels)).toBe(before + 1);
    expect(notified).toHaveLength(1);
    expect(captured).toHaveLength(1);
    expect(notified[0]).toMatchObject({
      code: 'PROVIDER_ERROR',
      status: 502,
      request_id: 'req-1',
      method: 'POST',
      route: '/v1/chat/completions',
      org_id: 'org-1',
      service: 'openai',
      model: 'gpt-4o',
      agent_id: 'agt_1',
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('"request_id":"req-1"');
    expect(logged[0]).not.toContain('a secret prompt');
  });

  it('reports a pipeline failure no HTTP error carries (a started stream, a job) by itself', async () => {
    const labels = { code: 'PROVIDER_ERROR', service: 'openai', route: 'pipeline' };
    const before = await count(labels);
    monitor.onPipelineError(providerError(ErrorCode.PROVIDER_ERROR, 'server'), pipelineCtx);
    expect(notified).toHaveLength(0);
    jest.advanceTimersByTime(100);
    expect(notified).toMatchObject([{ route: 'pipeline', model: 'gpt-4o', agent_id: 'agt_1' }]);
    expect(await count(labels)).toBe(before + 1);
  });

  it('counts and logs client errors without sending them to the APM or webhooks', async () => {
    const labels = { code: 'NOT_FOUND', service: 'none', route: '/api/v1/agents/:id' };
    const before = await count(labels);
    monitor.onHttpError(
      new AppException(ErrorCode.NOT_FOUND, 'Agent agt_x not found'),
      request({ method: 'GET', routeOptions: { url: '/api/v1/agents/:id' }, body: undefined }),
    );
    expect(await count(labels)).toBe(before + 1);
    expect(notified).toEqual([]);
    expect(captured).toEqual([]);
    expect(logged).toHaveLength(1);
  });

  it("sends a provider's rate limit passed on as 429, but not a client that went away", () => {
    monitor.onHttpError(providerError(ErrorCode.RATE_LIMITED, 'rate_limited', 429), request());
    expect(notified).toMatchObject([{ code: 'RATE_LIMITED', status: 429, service: 'openai' }]);
    monitor.onPipelineError(providerError(ErrorCode.PROVIDER_ERROR, 'aborted', 499), pipelineCtx);
    jest.advanceTimersByTime(100);
    expect(notified).toHaveLength(1);
  });

  it('keeps credentials out of the log of an unexpected error', () => {
    monitor.onHttpError(
      new Error('connect postgres://app:hunter2@db:5432/x failed'),
      request({ body: {} }),
    );
    expect(notified).toMatchObject([
      { code: 'INTERNAL', status: 500, message: 'Internal server error' },
    ]);
    expect(logged.join('\n')).not.toContain('hunter2');
  });
});
