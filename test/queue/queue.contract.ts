import { randomUUID } from 'node:crypto';
import { AppException, ErrorCode } from '../../src/common/errors';
import { metricsRegistry } from '../../src/common/metrics/prom';
import type { DeadLetterEvent } from '../../src/modules/queue/core/job-transport';
import type { JobsRepository } from '../../src/modules/queue/jobs/jobs.repository';
import { envelopeOf } from '../../src/modules/queue/runtime/job-queue.service';
import { verifyWebhook } from '../../src/modules/queue/webhooks/webhook-signature';
import { deferred, eventually } from './eventually';
import { MAX_ATTEMPTS, Scenario, startReceiver, type TransportKit } from './queue-harness';

export interface QueueContractTarget {
  kit: TransportKit;
  store: () => JobsRepository;
  /** A fresh broker namespace (queue/exchange prefix) per test. */
  scenarioName: () => string;
}

const org = () => `org_${randomUUID()}`;

/**
 * The transport contract: the same scenarios against RabbitMQ and the in-process twin, with
 * the real JobQueue/JobRunner/job store on top, as QueueModule wires them.
 */
export function queueContract(target: QueueContractTarget): void {
  let s: Scenario;
  const scenario = (allowPrivate = true) => {
    s = new Scenario({
      store: target.store(),
      kit: target.kit,
      scenario: target.scenarioName(),
      allowPrivate,
    });
    return s;
  };
  afterEach(async () => {
    await s?.close();
  });

  const status = async (o: string, id: string) => (await s.store.get(o, id))?.status;

  it('runs a job once and stores its result', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const { job, created } = await a.queue.enqueue('echo', o, { n: 1 });
    expect(created).toBe(true);
    expect(job.status).toBe('queued');
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    expect(await s.store.get(o, job.id)).toMatchObject({
      attempts: 1,
      result: { echo: { n: 1 }, by: 'A' },
      error: null,
    });
    expect(s.world.effects.get(job.id)).toEqual(['A']);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('flaky', o, { failures: 2 });
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    expect(await s.store.get(o, job.id)).toMatchObject({
      attempts: 3,
      result: { attempts: 3 },
      last_error: { code: 'PLANNED', message: 'planned failure 2' },
    });
    const kinds = a.runner.of(job.id).map((x) => x.disposition.kind);
    expect(kinds).toEqual(['retry', 'retry', 'ack']);
    // Each retry came back through the delay queue as the next attempt.
    expect(a.runner.of(job.id).map((x) => x.delivery.attempt)).toEqual([1, 2, 3]);
  });

  it('dead-letters a job that keeps failing after the cap, and requeues it on request', async () => {
    const a = await scenario().instance('A');
    const dead: DeadLetterEvent[] = [];
    a.transport.onDeadLetter((e) => dead.push(e));
    const o = org();
    const { job } = await a.queue.enqueue('doomed', o, {});
    await eventually('dead', async () => (await status(o, job.id)) === 'dead');
    expect(await s.store.get(o, job.id)).toMatchObject({
      attempts: MAX_ATTEMPTS,
      error: { code: 'PLANNED', message: 'always fails' },
    });
    await eventually('a dead letter', () => dead.length === 1);
    expect(dead[0]).toEqual({ type: 'doomed', reason: 'exhausted', jobId: job.id });
    await eventually('DLQ depth 1', async () => (await a.transport.depth('doomed')).dead === 1);
    expect((await a.queue.listDead(o, 'doomed', {})).items.map((j) => j.id)).toEqual([job.id]);

    s.world.doomed = false;
    const requeued = await a.queue.requeue(o, job.id);
    expect(requeued).toMatchObject({ status: 'queued', attempts: 0 });
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    expect(s.world.effects.get(job.id)).toEqual(['A']);
    await expect(a.queue.requeue(o, job.id)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
  });

  it('dead-letters at once on a permanent error', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('fatal', o, {});
    await eventually('dead', async () => (await status(o, job.id)) === 'dead');
    expect(await s.store.get(o, job.id)).toMatchObject({
      attempts: 1,
      error: { code: 'PLANNED_PERMANENT', message: 'can never work' },
    });
    expect(a.runner.of(job.id).map((x) => x.disposition)).toEqual([
      { kind: 'dead', cause: 'permanent', reason: 'can never work' },
    ]);
  });

  it('redelivers the job of a consumer killed mid-run to another, which completes it once', async () => {
    const sc = scenario();
    sc.world.gates.set('A', deferred()); // A never gets past its gate
    const a = await sc.instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('slow', o, {});
    expect(await sc.world.enteredBy('A').promise).toBe(job.id);
    const b = await sc.instance('B');
    await sc.crash(a);
    await eventually('completed by B', async () => (await status(o, job.id)) === 'completed');
    const stored = await sc.store.get(o, job.id);
    expect(stored).toMatchObject({ attempts: 2, result: { by: 'B' } });
    expect(sc.world.effects.get(job.id)).toEqual(['B']);
    const bRuns = b.runner.of(job.id);
    expect(bRuns).toHaveLength(1);
    expect(bRuns[0].delivery.redelivered).toBe(true);
    expect(bRuns[0].disposition.kind).toBe('ack');
  });

  it('handles a duplicate publish of the same job once', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('echo', o, { dup: true });
    // The same message twice more: one right away (likely while the first runs), one later.
    await a.transport.publish(envelopeOf(job));
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    await a.transport.publish(envelopeOf(job));
    await eventually('three deliveries', () => a.runner.of(job.id).length === 3);
    expect(s.world.effects.get(job.id)).toEqual(['A']);
    expect(a.runner.of(job.id).every((x) => x.disposition.kind === 'ack')).toBe(true);
    expect(await s.store.get(o, job.id)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('returns the same job for the same idempotency key, and refuses it for another request', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const first = await a.queue.enqueue(
      'echo',
      o,
      { k: 1 },
      { idempotencyKey: 'key-1', requestHash: 'h1' },
    );
    const again = await a.queue.enqueue(
      'echo',
      o,
      { k: 1 },
      { idempotencyKey: 'key-1', requestHash: 'h1' },
    );
    expect(again.created).toBe(false);
    expect(again.job.id).toBe(first.job.id);
    await expect(
      a.queue.enqueue('echo', o, { k: 2 }, { idempotencyKey: 'key-1', requestHash: 'h2' }),
    ).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    const otherOrg = await a.queue.enqueue('echo', org(), { k: 1 }, { idempotencyKey: 'key-1' });
    expect(otherOrg.job.id).not.toBe(first.job.id);
    await eventually('completed', async () => (await status(o, first.job.id)) === 'completed');
    expect(s.world.effects.get(first.job.id)).toEqual(['A']);
  });

  it('dead-letters a poison message without blocking the queue', async () => {
    const a = await scenario().instance('A');
    const dead: DeadLetterEvent[] = [];
    a.transport.onDeadLetter((e) => dead.push(e));
    await a.transport.publishRaw('echo', Buffer.from('{this is not json'));
    await a.transport.publishRaw('echo', Buffer.from(JSON.stringify({ v: 1, id: 'x' })));
    const o = org();
    const { job } = await a.queue.enqueue('echo', o, { after: 'poison' });
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    await eventually('two poison dead letters', () => dead.length === 2);
    expect(dead.map((e) => e.reason)).toEqual(['poison', 'poison']);
    await eventually('DLQ depth 2', async () => (await a.transport.depth('echo')).dead === 2);
    const metrics = await metricsRegistry.getSingleMetricAsString(
      'gateway_queue_dead_letters_total',
    );
    expect(metrics).toMatch(/gateway_queue_dead_letters_total\{type="echo",reason="poison"\} \d+/);
  });

  it('finishes in-flight jobs on shutdown before closing', async () => {
    const sc = scenario();
    const gate = deferred();
    sc.world.gates.set('A', gate);
    const a = await sc.instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('slow', o, {});
    await sc.world.enteredBy('A').promise;
    let stopped = false;
    const stopping = a.stop(10_000).then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(await sc.store.get(o, job.id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(a.runner.of(job.id).map((x) => x.disposition.kind)).toEqual(['ack']);
  });

  it('aborts a job still running when the shutdown bound passes; another instance runs it', async () => {
    const sc = scenario();
    sc.world.gates.set('A', deferred()); // never opens
    const a = await sc.instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('slow', o, {});
    await sc.world.enteredBy('A').promise;
    await a.stop(20);
    const b = await sc.instance('B');
    await eventually('completed by B', async () => (await status(o, job.id)) === 'completed');
    expect(sc.world.effects.get(job.id)).toEqual(['B']);
    expect(await sc.store.get(o, job.id)).toMatchObject({ result: { by: 'B' }, attempts: 2 });
    expect(b.runner.of(job.id).at(-1)?.disposition.kind).toBe('ack');
  });

  it('delivers webhooks signed so the receiver can verify them, retrying a failed POST', async () => {
    const a = await scenario().instance('A');
    const receiver = await startReceiver();
    try {
      receiver.script.push(500);
      const o = org();
      const { job } = await a.queue.enqueue('notify', o, { url: receiver.url });
      await eventually('completed', async () => (await status(o, job.id)) === 'completed');
      expect(receiver.requests).toHaveLength(2);
      const secret = s.secrets.forOrg(o);
      for (const [i, req] of receiver.requests.entries()) {
        expect(req.headers['x-job-id']).toBe(job.id);
        expect(req.headers['x-webhook-attempt']).toBe(String(i + 1));
        expect(req.headers.authorization).toBe('Bearer receiver-token');
        expect(JSON.parse(req.body)).toEqual({ job_id: job.id, hello: 'world' });
        const headers = {
          signature: req.headers['x-signature'] as string,
          timestamp: req.headers['x-timestamp'] as string,
        };
        expect(headers.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(verifyWebhook(secret, headers, req.body)).toBe(true);
        expect(verifyWebhook(s.secrets.forOrg(org()), headers, req.body)).toBe(false);
        expect(verifyWebhook(secret, headers, req.body.replace('world', 'w0rld'))).toBe(false);
      }
      expect(await s.store.get(o, job.id)).toMatchObject({
        attempts: 2,
        last_error: { code: 'WEBHOOK_FAILED', message: 'Webhook answered HTTP 500' },
      });
    } finally {
      await receiver.close();
    }
  });

  it('dead-letters a webhook the egress policy refuses, without retrying', async () => {
    const a = await scenario(false).instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('notify', o, { url: 'http://127.0.0.1:9/hook' });
    await eventually('dead', async () => (await status(o, job.id)) === 'dead');
    expect(await s.store.get(o, job.id)).toMatchObject({
      attempts: 1,
      error: { code: 'WEBHOOK_BLOCKED' },
    });
  });

  it('refuses to requeue a job that is not dead, or that does not exist', async () => {
    const a = await scenario().instance('A');
    const o = org();
    const { job } = await a.queue.enqueue('echo', o, {});
    await eventually('completed', async () => (await status(o, job.id)) === 'completed');
    await expect(a.queue.requeue(o, job.id)).rejects.toMatchObject({ code: ErrorCode.CONFLICT });
    await expect(a.queue.requeue(org(), job.id)).rejects.toBeInstanceOf(AppException);
  });
}
