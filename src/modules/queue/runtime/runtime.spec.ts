import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../common/crypto';
import { AppException, ErrorCode } from '../../../common/errors';
import { MemoryJobsRepository } from '../../../../test/queue/memory-jobs.repository';
import { eventually } from '../../../../test/queue/eventually';
import { PermanentJobError, RetryableJobError } from '../core/errors';
import type { Delivery } from '../core/job-transport';
import { NOT_ENQUEUED } from '../jobs/job.types';
import { PayloadCodec } from '../jobs/payload-codec';
import type { QueueSettings } from '../queue.config';
import { InProcessBroker } from '../transports/in-process/in-process-broker';
import { InProcessTransport } from '../transports/in-process/in-process.transport';
import { DepthSampler } from './depth-sampler';
import { JobHandlerRegistry } from './job-handler.registry';
import { JobQueue } from './job-queue.service';
import { JobRecovery } from './job-recovery';
import { JobRunner } from './job-runner';

const cfg: QueueSettings = {
  prefix: 'unit',
  maxAttempts: 3,
  retryBaseMs: 5,
  concurrency: 2,
  publishTimeoutMs: 100,
  shutdownGraceMs: 1000,
  leaseMs: 60_000,
};

function world(maxBuffered = 100) {
  const store = new MemoryJobsRepository();
  const codec = new PayloadCodec(new SecretBox(randomBytes(32)));
  const registry = new JobHandlerRegistry(cfg);
  const runs: string[] = [];
  registry.register(
    'echo',
    {
      run: async ({ job }) => {
        runs.push(job.id);
        return { status: 'completed', result: { ok: true } };
      },
    },
    { parse: (p) => p },
  );
  const broker = new InProcessBroker({ maxBuffered, maxDeadPerType: 10 });
  const transport = new InProcessTransport(broker, { retryBaseMs: 5, ownsBroker: true });
  const runner = new JobRunner(registry, store, codec, cfg);
  const recovery = new JobRecovery(transport, store);
  const queue = new JobQueue(
    transport,
    registry,
    store,
    codec,
    runner,
    recovery,
    new DepthSampler(transport),
    cfg,
  );
  return { store, codec, registry, transport, runner, recovery, queue, runs };
}

const delivery = (id: string, org: string, over: Partial<Delivery> = {}): Delivery => ({
  envelope: { v: 1, id, type: 'echo', org_id: org, payload: null },
  attempt: 1,
  redelivered: false,
  ...over,
});
const never = new AbortController().signal;

describe('JobQueue', () => {
  it('answers 503 when the queue is full, then publishes the job on a retry with the same key', async () => {
    const w = world(1);
    await w.transport.declare([{ type: 'echo', concurrency: 1, maxAttempts: 3 }]);
    const first = await w.queue.enqueue('echo', 'o', { n: 1 });
    const err = await w.queue.enqueue('echo', 'o', { n: 2 }, { idempotencyKey: 'k' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppException);
    expect(err).toMatchObject({ code: ErrorCode.SERVICE_UNAVAILABLE, status: 503 });
    const jobId = ((err as AppException).details as { job_id: string }).job_id;
    expect(await w.store.get('o', jobId)).toMatchObject({
      status: 'failed',
      error: { code: NOT_ENQUEUED },
    });

    await w.queue.onApplicationBootstrap(); // consumers drain the queue: room again
    await eventually(
      'first done',
      async () => (await w.store.get('o', first.job.id))?.status === 'completed',
    );
    const again = await w.queue.enqueue('echo', 'o', { n: 2 }, { idempotencyKey: 'k' });
    expect(again).toMatchObject({ created: false, job: { id: jobId, status: 'queued' } });
    await eventually(
      'retried job done',
      async () => (await w.store.get('o', jobId))?.status === 'completed',
    );
    expect(w.runs).toEqual([first.job.id, jobId]);
    await w.queue.onModuleDestroy();
    await w.queue.onApplicationShutdown();
  });

  it('seals payloads in the store', async () => {
    const w = world();
    await w.transport.declare([{ type: 'echo', concurrency: 1, maxAttempts: 3 }]);
    const { job } = await w.queue.enqueue('echo', 'o', { secret: 'receiver-token' });
    const stored = await w.store.get('o', job.id);
    expect(JSON.stringify(stored?.payload)).not.toContain('receiver-token');
    expect(w.codec.open('o', job.id, stored!.payload)).toEqual({ secret: 'receiver-token' });
    expect(() => w.codec.open('other-org', job.id, stored!.payload)).toThrow(/decrypted/);
    await w.transport.stop(0);
  });
});

describe('JobRecovery (in-process restarts)', () => {
  it('re-queues stored queued jobs and takes over ones interrupted mid-run', async () => {
    const before = world();
    const queued = await before.store.create('o', {
      id: 'job_queued00000000000',
      type: 'echo',
      max_attempts: 3,
      payload: before.codec.seal('o', 'job_queued00000000000', {}),
    });
    const running = await before.store.create('o', {
      id: 'job_running0000000000',
      type: 'echo',
      max_attempts: 3,
      payload: before.codec.seal('o', 'job_running0000000000', {}),
    });
    await before.store.claim('o', running.id, { leaseMs: 3_600_000, steal: false });

    // "Restart": same store and key, a fresh in-memory broker.
    const after = world();
    const queue = new JobQueue(
      after.transport,
      after.registry,
      before.store,
      before.codec,
      new JobRunner(after.registry, before.store, before.codec, cfg),
      new JobRecovery(after.transport, before.store),
      new DepthSampler(after.transport),
      cfg,
    );
    await queue.onApplicationBootstrap();
    await eventually('both completed', async () => {
      const a = await before.store.get('o', queued.id);
      const b = await before.store.get('o', running.id);
      return a?.status === 'completed' && b?.status === 'completed';
    });
    expect((await before.store.get('o', running.id))?.attempts).toBe(2);
    expect(after.runs.sort()).toEqual([queued.id, running.id].sort());
    await queue.onModuleDestroy();
    await queue.onApplicationShutdown();
  });
});

describe('JobRunner', () => {
  async function stored(w: ReturnType<typeof world>, id: string) {
    await w.store.create('o', {
      id,
      type: 'echo',
      max_attempts: 3,
      payload: w.codec.seal('o', id, {}),
    });
  }

  it('retries without using an attempt while the job store is down', async () => {
    const w = world();
    await stored(w, 'job_a');
    w.store.down = true;
    const d = await w.runner.handle(delivery('job_a', 'o', { attempt: 2 }), never);
    expect(d).toMatchObject({ kind: 'retry', attempt: 2, reason: 'job store unavailable' });
    w.store.down = false;
    expect((await w.store.get('o', 'job_a'))?.attempts).toBe(0);
  });

  it('hands its lease over to the retry when it cannot record a failed run', async () => {
    const w = world();
    w.registry.register(
      'fails',
      { run: async () => Promise.reject(new Error('boom')) },
      { parse: (p) => p },
    );
    await w.store.create('o', {
      id: 'job_f',
      type: 'fails',
      max_attempts: 3,
      payload: w.codec.seal('o', 'job_f', {}),
    });
    jest.spyOn(w.store, 'release').mockRejectedValueOnce(new Error('db hiccup'));
    const d = await w.runner.handle(
      {
        ...delivery('job_f', 'o'),
        envelope: { ...delivery('job_f', 'o').envelope, type: 'fails' },
      },
      never,
    );
    expect(d.kind).toBe('retry');
    const handover = d.kind === 'retry' ? d.handover : undefined;
    expect(handover).toEqual(expect.any(String));
    // The job is still "running" under the old lease; only the handed-over retry may take it.
    expect((await w.store.get('o', 'job_f'))?.status).toBe('running');
    expect((await w.store.claim('o', 'job_f', { leaseMs: 1000, steal: false })).kind).toBe('busy');
    const next = await w.store.claim('o', 'job_f', { leaseMs: 1000, steal: false, handover });
    expect(next.kind).toBe('claimed');
    expect(await w.store.get('o', 'job_f')).toMatchObject({
      attempts: 2,
      last_error: null,
    });
  });

  it('dead-letters what it cannot handle: unknown types, missing records, crash loops', async () => {
    const w = world();
    const unknown = await w.runner.handle(
      { ...delivery('job_x', 'o'), envelope: { ...delivery('job_x', 'o').envelope, type: 'nope' } },
      never,
    );
    expect(unknown).toMatchObject({ kind: 'dead', cause: 'unhandled' });
    expect(await w.runner.handle(delivery('job_missing', 'o'), never)).toMatchObject({
      kind: 'dead',
      cause: 'unhandled',
    });
    // Started 3 times and never finished (each run killed its worker): the 4th start gives up.
    await stored(w, 'job_loop');
    for (let i = 0; i < 3; i++) await w.store.claim('o', 'job_loop', { leaseMs: 1, steal: true });
    const d = await w.runner.handle(delivery('job_loop', 'o', { redelivered: true }), never);
    expect(d).toMatchObject({ kind: 'dead', cause: 'exhausted' });
    expect(await w.store.get('o', 'job_loop')).toMatchObject({
      status: 'dead',
      error: { code: 'ATTEMPTS_EXHAUSTED' },
    });
    expect(w.runs).toEqual([]);
  });

  it('acks a repeat of a finished job without running it again', async () => {
    const w = world();
    await stored(w, 'job_done');
    expect(await w.runner.handle(delivery('job_done', 'o'), never)).toEqual({ kind: 'ack' });
    expect(await w.runner.handle(delivery('job_done', 'o'), never)).toEqual({ kind: 'ack' });
    expect(w.runs).toEqual(['job_done']);
  });
});

describe('JobRunner under faults (issue 15)', () => {
  function withType(
    w: ReturnType<typeof world>,
    type: string,
    handler: Parameters<JobHandlerRegistry['register']>[1],
    opts: { untracked?: boolean; maxRetryDelayMs?: number } = {},
  ) {
    w.registry.register(type, handler, { parse: (p) => p, ...opts });
  }
  async function create(w: ReturnType<typeof world>, id: string, type: string, max = 3) {
    await w.store.create('o', { id, type, max_attempts: max, payload: w.codec.seal('o', id, {}) });
  }
  const of = (id: string, type: string, over: Partial<Delivery> = {}): Delivery => ({
    ...delivery(id, 'o', over),
    envelope: { v: 1, id, type, org_id: 'o', payload: null },
  });

  it('keeps the handover when the job store is down at claim time', async () => {
    const w = world();
    await create(w, 'job_h', 'echo');
    const first = await w.store.claim('o', 'job_h', { leaseMs: 3_600_000, steal: false });
    const token = first.kind === 'claimed' ? first.token : '';
    w.store.down = true;
    const d = await w.runner.handle(of('job_h', 'echo', { handover: token, attempt: 2 }), never);
    expect(d).toMatchObject({ kind: 'retry', reason: 'job store unavailable', handover: token });
    w.store.down = false;
    // The next delivery carries it and takes the job over from the live 1-hour lease.
    const next = await w.runner.handle(of('job_h', 'echo', { handover: token }), never);
    expect(next).toEqual({ kind: 'ack' });
    expect(await w.store.get('o', 'job_h')).toMatchObject({ status: 'completed' });
  });

  it('retries a run the store could not record as finished, under its lease, and completes it', async () => {
    const w = world();
    await create(w, 'job_fin', 'echo', 1);
    jest.spyOn(w.store, 'finish').mockRejectedValueOnce(new Error('connection lost'));
    const d = await w.runner.handle(of('job_fin', 'echo'), never);
    expect(d).toMatchObject({ kind: 'retry', handover: expect.any(String) });
    // Its one attempt is used up, yet the handed-over rerun is not dead-lettered as a crash loop.
    const again = await w.runner.handle(
      of('job_fin', 'echo', { handover: d.kind === 'retry' ? d.handover : undefined }),
      never,
    );
    expect(again).toEqual({ kind: 'ack' });
    expect(await w.store.get('o', 'job_fin')).toMatchObject({ status: 'completed' });
  });

  it('waits out an open circuit breaker without using up an attempt', async () => {
    const w = world();
    withType(w, 'breaker', {
      run: async () => {
        throw new RetryableJobError('openai is temporarily unavailable', 'PROVIDER_UNAVAILABLE', {
          retryAfterMs: 30_000,
          attempted: false,
        });
      },
    });
    await create(w, 'job_b', 'breaker', 2);
    for (let i = 1; i <= 3; i++) {
      const d = await w.runner.handle(of('job_b', 'breaker', { attempt: i }), never);
      expect(d.kind).toBe('retry');
      expect(d.kind === 'retry' && d.delayMs).toBeGreaterThanOrEqual(30_000);
      // ...and not much longer: the refusal, not an ever-growing backoff, sets the wait.
      expect(d.kind === 'retry' && d.delayMs).toBeLessThan(40_000);
      expect((await w.store.get('o', 'job_b'))?.attempts).toBe(0);
    }
    // A job refused for ever still ends: refunds are bounded by the delivery count.
    const last = await w.runner.handle(of('job_b', 'breaker', { attempt: 9 }), never);
    expect(last.kind).toBe('retry');
    const dead = await w.runner.handle(of('job_b', 'breaker', { attempt: 10 }), never);
    expect(dead).toMatchObject({ kind: 'dead', cause: 'exhausted' });
  });

  it('tells the handler its job is dead, with the final error', async () => {
    const w = world();
    const told: unknown[] = [];
    withType(w, 'doomed', {
      run: async () => {
        throw new PermanentJobError('nope', 'NO_WAY');
      },
      dead: async ({ job }) => void told.push(job.error),
    });
    await create(w, 'job_d', 'doomed');
    expect(await w.runner.handle(of('job_d', 'doomed'), never)).toMatchObject({ kind: 'dead' });
    expect(told).toEqual([{ code: 'NO_WAY', message: 'nope' }]);
  });

  it('runs untracked messages without a job record, retrying until they succeed', async () => {
    const w = world();
    let fails = 1;
    const seen: string[] = [];
    withType(
      w,
      'note',
      {
        run: async ({ job, payload }) => {
          if (fails-- > 0) throw new Error('store down');
          seen.push(`${job.id}:${JSON.stringify(payload)}`);
        },
      },
      { untracked: true, maxRetryDelayMs: 50 },
    );
    const env = { v: 1 as const, id: 'par_1', type: 'note', org_id: 'o' };
    const sealed = { ...env, payload: w.codec.seal('o', 'par_1', { n: 1 }) };
    const d = await w.runner.handle({ envelope: sealed, attempt: 20, redelivered: false }, never);
    expect(d).toMatchObject({ kind: 'retry' });
    expect(d.kind === 'retry' && d.delayMs).toBeLessThanOrEqual(50);
    expect(
      await w.runner.handle({ envelope: sealed, attempt: 21, redelivered: false }, never),
    ).toEqual({
      kind: 'ack',
    });
    expect(seen).toEqual(['par_1:{"n":1}']);
    expect(await w.store.get('o', 'par_1')).toBeUndefined();
  });
});

describe('JobRecovery sweeper (every transport mode)', () => {
  it('republishes a job stranded before its publish and one whose worker died, not a fresh one', async () => {
    const w = world();
    const recovery = new JobRecovery(w.transport, w.store, cfg); // stranded after 200 ms
    await w.transport.declare([{ type: 'echo', concurrency: 2, maxAttempts: 3 }]);
    const mk = (id: string) =>
      w.store.create('o', {
        id,
        type: 'echo',
        max_attempts: 3,
        payload: w.codec.seal('o', id, {}),
      });
    await mk('job_stranded');
    await mk('job_leased');
    await w.store.claim('o', 'job_leased', { leaseMs: 1, steal: false });
    const now = Date.now() + 1000;
    await mk('job_fresh');
    w.store.touch('job_fresh', new Date(now));
    const published: string[] = [];
    jest
      .spyOn(w.transport, 'publishRecovered')
      .mockImplementation((env) => void published.push(env.id));
    expect(await recovery.sweep(['echo'], now)).toBe(2);
    expect(published.sort()).toEqual(['job_leased', 'job_stranded']);
    // Backs off: not again on the very next sweep.
    expect(await recovery.sweep(['echo'], now + 10)).toBe(0);
  });
});
