import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../common/crypto';
import { EgressPolicy } from '../../../common/egress';
import { AppException, ErrorCode } from '../../../common/errors';
import type { Principal } from '../../../common/auth/principal';
import type { AgentCompletionDto } from '../ingress/agent/dto/agent-completion.dto';
import type { CompletionPipeline } from '../pipeline/completion-pipeline.service';
import type { CompletionOutcome } from '../pipeline/completion-job';
import type { JobBuilder } from '../pipeline/job-builder';
import {
  PayloadCodec,
  PermanentJobError,
  type JobHandlerRegistry,
  type JobQueue,
  type JobRecord,
  type JsonValue,
  type WebhookDelivery,
} from '../../queue';
import { AsyncCompletions } from './async-completions.service';
import { CompletionJobHandler } from './completion-job.handler';
import { parseCompletionPayload, type CompletionJobPayload } from './completion-job.payload';
import { requestHash, stableStringify } from './request-hash';

const principal: Principal = { userId: 'u1', orgId: 'o1', scopes: [], via: 'jwt' };

describe('AsyncCompletions.submit', () => {
  const enqueued: Array<{ type: string; payload: JsonValue; opts: unknown }> = [];
  const queue = {
    enqueue: async (type: string, _org: string, payload: JsonValue, opts: unknown) => {
      enqueued.push({ type, payload, opts });
      return { job: { id: 'job_1', status: 'queued' }, created: true };
    },
  } as unknown as JobQueue;
  const policy = new EgressPolicy({ allowPrivate: false, allowlist: [] });
  const service = (canSeal = true) =>
    new AsyncCompletions(
      queue,
      new PayloadCodec(new SecretBox(canSeal ? randomBytes(32) : undefined)),
      policy,
    );
  const dto = (over: Partial<AgentCompletionDto> = {}): AgentCompletionDto => ({
    agent_id: 'agt_1',
    user: 'hi',
    response_format: { type: 'webhook', url: 'https://hooks.example.com/x', headers: { a: 'b' } },
    ...over,
  });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as AppException,
    );

  beforeEach(() => (enqueued.length = 0));

  it('queues the request (without delivery details), the caller and the webhook', async () => {
    expect(await service().submit(dto(), principal, 'req-1', 'key-1')).toEqual({
      job_id: 'job_1',
      status: 'queued',
    });
    expect(enqueued[0].type).toBe('completion');
    expect(enqueued[0].payload).toEqual({
      request: { agent_id: 'agt_1', user: 'hi' },
      principal,
      webhook: { url: 'https://hooks.example.com/x', headers: { a: 'b' } },
      request_id: 'req-1',
    });
    expect(enqueued[0].opts).toEqual({ idempotencyKey: 'key-1', requestHash: requestHash(dto()) });
  });

  it('refuses streaming, reserved headers and IP literals the egress policy blocks', async () => {
    const stream = await refusal(service().submit(dto({ stream: true }), principal, 'r'));
    expect(stream).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, param: 'stream' });
    const reserved = await refusal(
      service().submit(
        dto({
          response_format: {
            type: 'webhook',
            url: 'https://h.example',
            headers: { 'X-Timestamp': '1' },
          },
        }),
        principal,
        'r',
      ),
    );
    expect(reserved).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      param: 'response_format.headers',
    });
    for (const url of [
      'http://169.254.169.254/latest',
      'http://[::1]:8080/x',
      'http://10.0.0.1/',
    ]) {
      const blocked = await refusal(
        service().submit(dto({ response_format: { type: 'webhook', url } }), principal, 'r'),
      );
      expect(blocked).toMatchObject({
        code: ErrorCode.VALIDATION_FAILED,
        param: 'response_format.url',
      });
    }
    expect(enqueued).toHaveLength(0);
  });

  it('refuses webhook headers it could not store encrypted (503), but not a bare webhook', async () => {
    const err = await refusal(service(false).submit(dto(), principal, 'r'));
    expect(err).toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE });
    const bare = dto({ response_format: { type: 'webhook', url: 'https://h.example/x' } });
    await expect(service(false).submit(bare, principal, 'r')).resolves.toMatchObject({
      job_id: 'job_1',
    });
  });
});

describe('request fingerprints', () => {
  it('ignore key order and undefined fields, and see every value', () => {
    expect(stableStringify({ b: 1, a: [{ y: 2, x: undefined, z: null }] })).toBe(
      '{"a":[{"y":2,"z":null}],"b":1}',
    );
    expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});

describe('parseCompletionPayload', () => {
  const good: CompletionJobPayload = {
    request: { agent_id: 'a' },
    principal,
    webhook: { url: 'https://x', headers: {} },
    request_id: 'r',
  };
  it('accepts a complete payload and refuses a broken one permanently', () => {
    expect(parseCompletionPayload(good as unknown as JsonValue)).toEqual(good);
    for (const bad of [
      null,
      'x',
      { ...good, principal: { userId: 'u' } },
      { ...good, webhook: { url: 1 } },
    ]) {
      expect(() => parseCompletionPayload(bad as unknown as JsonValue)).toThrow(PermanentJobError);
    }
  });
});

describe('CompletionJobHandler', () => {
  const outcome: CompletionOutcome = {
    id: 'x',
    service: 'openai',
    model: 'gpt-4o-mini',
    content: 'Echo: hi',
    tool_calls: [],
    finish_reason: 'stop',
    tool_runs: [],
    usage: {
      input_tokens: 1,
      output_tokens: 2,
      total_tokens: 3,
      cached_tokens: 0,
      reasoning_tokens: 0,
      cost_usd: 0,
    },
    created: 0,
    rounds: 1,
    cached: false,
    produced: [],
  };
  const payload: CompletionJobPayload = {
    request: { agent_id: 'agt_1', user: 'hi' },
    principal,
    webhook: { url: 'https://hooks.example.com/x', headers: {} },
    request_id: 'req-1',
  };
  const job = (over: Partial<JobRecord> = {}): JobRecord =>
    ({ id: 'job_1', org_id: 'o1', attempts: 1, result: null, error: null, ...over }) as JobRecord;

  function handler(pipelineResult: () => Promise<CompletionOutcome>) {
    const calls = { built: 0, ran: 0, delivered: [] as JsonValue[] };
    const builder = {
      fromAgentRequest: async () => {
        calls.built++;
        return { agentId: 'agt_1', thread: undefined };
      },
    } as unknown as JobBuilder;
    const pipeline = {
      defaultCacheTtl: 0,
      complete: async () => {
        calls.ran++;
        return pipelineResult();
      },
    } as unknown as CompletionPipeline;
    const webhooks = {
      deliver: async (_org: string, _t: unknown, body: JsonValue) => {
        calls.delivered.push(body);
      },
    } as unknown as WebhookDelivery;
    const registry = { register: jest.fn() } as unknown as JobHandlerRegistry;
    return { h: new CompletionJobHandler(registry, builder, pipeline, webhooks), calls, registry };
  }

  const ctx = (j: JobRecord, saved: Array<unknown>) => ({
    job: j,
    payload,
    signal: new AbortController().signal,
    saveOutcome: async (o: { result: JsonValue | null; error: unknown }) => {
      saved.push(o);
      Object.assign(j, o);
    },
  });

  it('registers itself for the completion type', () => {
    const { h, registry } = handler(async () => outcome);
    h.onModuleInit();
    expect(registry.register).toHaveBeenCalledWith('completion', h, expect.any(Object));
  });

  it('runs the pipeline, saves the answer before delivering it, and completes', async () => {
    const { h, calls } = handler(async () => outcome);
    const saved: unknown[] = [];
    const j = job();
    expect(await h.run(ctx(j, saved) as never)).toEqual({ status: 'completed' });
    expect(saved).toEqual([
      { result: expect.objectContaining({ content: 'Echo: hi', id: 'job_1' }), error: null },
    ]);
    expect(calls.delivered).toEqual([
      { job_id: 'job_1', type: 'completion', status: 'completed', data: j.result },
    ]);
  });

  it('only delivers on a later run once the answer is saved (no second provider call)', async () => {
    const { h, calls } = handler(async () => outcome);
    const j = job({ attempts: 2, result: { content: 'saved' } });
    await h.run(ctx(j, []));
    expect(calls.ran).toBe(0);
    expect(calls.delivered[0]).toMatchObject({ status: 'completed', data: { content: 'saved' } });
  });

  it('delivers a definite client error as a failed job', async () => {
    const { h, calls } = handler(() =>
      Promise.reject(new AppException(ErrorCode.NOT_FOUND, 'Agent agt_1 not found')),
    );
    expect(await h.run(ctx(job(), []) as never)).toEqual({ status: 'failed' });
    expect(calls.delivered[0]).toEqual({
      job_id: 'job_1',
      type: 'completion',
      status: 'failed',
      error: { code: ErrorCode.NOT_FOUND, message: 'Agent agt_1 not found' },
    });
  });

  it.each([
    ['a provider 5xx', new AppException(ErrorCode.PROVIDER_ERROR, 'upstream 500')],
    ['a rate limit', new AppException(ErrorCode.RATE_LIMITED, 'slow down')],
    ['an unknown error', new Error('socket hang up')],
  ])('throws on %s so the queue retries, delivering nothing', async (_what, e) => {
    const { h, calls } = handler(() => Promise.reject(e));
    await expect(h.run(ctx(job(), []) as never)).rejects.toBe(e);
    expect(calls.delivered).toEqual([]);
  });
});
