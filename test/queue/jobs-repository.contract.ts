import { randomUUID } from 'node:crypto';
import { AppException, ErrorCode } from '../../src/common/errors';
import { newId } from '../../src/common/ids/new-id';
import { NOT_ENQUEUED, type NewJob } from '../../src/modules/queue/jobs/job.types';
import type { JobsRepository } from '../../src/modules/queue/jobs/jobs.repository';

const LEASE = { leaseMs: 60_000, steal: false };

export const newOrg = (): string => `org_${randomUUID()}`;
const job = (over: Partial<NewJob> = {}): NewJob => ({
  id: newId('job'),
  type: 'echo',
  max_attempts: 3,
  payload: { sealed: 'enc:v1:abc' },
  ...over,
});

/**
 * The JobsRepository contract, run against every adapter (Postgres on PGlite and on a real
 * server, Mongo, and the in-memory fake the unit tests use).
 */
export function jobsRepositoryContract(store: () => JobsRepository): void {
  it('creates a queued job and reads it back only within its org', async () => {
    const org = newOrg();
    const j = job({ idempotency_key: 'k1', request_hash: 'h1' });
    const created = await store().create(org, j);
    expect(created).toMatchObject({ id: j.id, org_id: org, status: 'queued', attempts: 0 });
    const read = await store().get(org, j.id);
    expect(read).toMatchObject({
      id: j.id,
      type: 'echo',
      max_attempts: 3,
      payload: { sealed: 'enc:v1:abc' },
      result: null,
      error: null,
      idempotency_key: 'k1',
      request_hash: 'h1',
    });
    expect(read?.created_at).toBeInstanceOf(Date);
    expect(await store().get(newOrg(), j.id)).toBeUndefined();
  });

  it('round-trips a string payload and nested JSON', async () => {
    const org = newOrg();
    const a = job({ payload: 'a plain string' });
    const b = job({ payload: { plain: { list: [1, 'two', null, { deep: true }], empty: {} } } });
    await store().create(org, a);
    await store().create(org, b);
    expect((await store().get(org, a.id))?.payload).toBe('a plain string');
    expect((await store().get(org, b.id))?.payload).toEqual(b.payload);
  });

  it('keeps idempotency keys unique per org, and only when given', async () => {
    const org = newOrg();
    await store().create(org, job({ idempotency_key: 'same' }));
    await expect(store().create(org, job({ idempotency_key: 'same' }))).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    await expect(store().create(newOrg(), job({ idempotency_key: 'same' }))).resolves.toBeDefined();
    await store().create(org, job());
    await store().create(org, job());
    expect((await store().findByIdempotencyKey(org, 'same'))?.idempotency_key).toBe('same');
    expect(await store().findByIdempotencyKey(newOrg(), 'missing')).toBeUndefined();
  });

  it('claims a queued job once; a second claim finds it busy', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    const first = await store().claim(org, j.id, LEASE);
    expect(first.kind).toBe('claimed');
    if (first.kind !== 'claimed') return;
    expect(first.job).toMatchObject({ status: 'running', attempts: 1, lease_token: first.token });
    expect(first.job.started_at).toBeInstanceOf(Date);
    expect((await store().claim(org, j.id, LEASE)).kind).toBe('busy');
    expect((await store().claim(newOrg(), j.id, LEASE)).kind).toBe('missing');
  });

  it('lets exactly one of many concurrent claims win', async () => {
    // Repeated, because a store without atomic conditional writes only loses some races.
    for (let round = 0; round < 10; round++) {
      const org = newOrg();
      const j = job();
      await store().create(org, j);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store().claim(org, j.id, LEASE)),
      );
      expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      expect((await store().get(org, j.id))?.attempts).toBe(1);
    }
  });

  it('takes a running job over when stealing, after the lease, or by handover', async () => {
    const org = newOrg();
    const j = job({ max_attempts: 9 });
    await store().create(org, j);
    const a = await store().claim(org, j.id, LEASE);
    const b = await store().claim(org, j.id, { ...LEASE, steal: true });
    expect(b.kind).toBe('claimed');
    const later = new Date(Date.now() + 120_000);
    const c = await store().claim(org, j.id, { ...LEASE, now: later });
    expect(c.kind).toBe('claimed');
    if (a.kind !== 'claimed' || b.kind !== 'claimed' || c.kind !== 'claimed') return;
    // A handover names the lease it takes over; an old one does not count.
    expect((await store().claim(org, j.id, { ...LEASE, handover: a.token })).kind).toBe('busy');
    const d = await store().claim(org, j.id, { ...LEASE, handover: c.token });
    expect(d.kind).toBe('claimed');
    expect((await store().get(org, j.id))?.attempts).toBe(4);
  });

  it('ignores writes from a worker whose lease was taken over', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    const old = await store().claim(org, j.id, LEASE);
    const cur = await store().claim(org, j.id, { ...LEASE, steal: true });
    if (old.kind !== 'claimed' || cur.kind !== 'claimed') throw new Error('not claimed');
    const err = { code: 'X', message: 'x' };
    expect(await store().saveOutcome(org, j.id, old.token, { result: 1, error: null })).toBe(false);
    expect(await store().finish(org, j.id, old.token, 'completed', { result: 'old' })).toBe(false);
    expect(await store().release(org, j.id, old.token, err, new Date())).toBe(false);
    expect(await store().markDead(org, j.id, old.token, err)).toBe(false);
    expect(await store().get(org, j.id)).toMatchObject({ status: 'running', result: null });
    expect(await store().finish(org, j.id, cur.token, 'completed', { result: 'new' })).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({
      status: 'completed',
      result: 'new',
      lease_token: null,
    });
    expect((await store().claim(org, j.id, { ...LEASE, steal: true })).kind).toBe('finished');
  });

  it('keeps a saved outcome through finish, and records failed runs on release', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    const c1 = await store().claim(org, j.id, LEASE);
    if (c1.kind !== 'claimed') throw new Error('not claimed');
    const runAfter = new Date(Date.now() + 5000);
    const err = { code: 'WEBHOOK_FAILED', message: 'Webhook answered HTTP 500' };
    expect(
      await store().saveOutcome(org, j.id, c1.token, { result: { answer: 42 }, error: null }),
    ).toBe(true);
    expect(await store().release(org, j.id, c1.token, err, runAfter)).toBe(true);
    const queued = await store().get(org, j.id);
    expect(queued).toMatchObject({ status: 'queued', last_error: err, result: { answer: 42 } });
    expect(queued?.run_after?.getTime()).toBe(runAfter.getTime());
    const c2 = await store().claim(org, j.id, LEASE);
    if (c2.kind !== 'claimed') throw new Error('not claimed');
    expect(c2.job).toMatchObject({ attempts: 2, result: { answer: 42 }, run_after: null });
    expect(await store().finish(org, j.id, c2.token, 'completed', {})).toBe(true);
    const done = await store().get(org, j.id);
    expect(done).toMatchObject({ status: 'completed', result: { answer: 42 } });
    expect(done?.finished_at).toBeInstanceOf(Date);
  });

  it('finishes as failed with the error', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    const c = await store().claim(org, j.id, LEASE);
    if (c.kind !== 'claimed') throw new Error('not claimed');
    const error = { code: ErrorCode.NOT_FOUND, message: 'Agent agt_x not found' };
    expect(await store().finish(org, j.id, c.token, 'failed', { error })).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({ status: 'failed', error });
  });

  it('marks jobs dead and requeues only dead ones with a fresh budget', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    expect(await store().requeueDead(org, j.id)).toBe(false);
    const c = await store().claim(org, j.id, LEASE);
    if (c.kind !== 'claimed') throw new Error('not claimed');
    const error = { code: 'WEBHOOK_FAILED', message: 'no' };
    expect(await store().markDead(org, j.id, c.token, error)).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({ status: 'dead', error, attempts: 1 });
    expect(await store().requeueDead(newOrg(), j.id)).toBe(false);
    expect(await store().requeueDead(org, j.id)).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      error: null,
    });
    // Without a token, any unfinished job can be marked dead; a finished one cannot.
    expect(await store().markDead(org, j.id, undefined, error)).toBe(true);
    const k = job();
    await store().create(org, k);
    const ck = await store().claim(org, k.id, LEASE);
    if (ck.kind !== 'claimed') throw new Error('not claimed');
    await store().finish(org, k.id, ck.token, 'completed', { result: 1 });
    expect(await store().markDead(org, k.id, undefined, error)).toBe(false);
  });

  it('runs a requeued job to completion', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    const c1 = await store().claim(org, j.id, LEASE);
    if (c1.kind !== 'claimed') throw new Error('not claimed');
    await store().saveOutcome(org, j.id, c1.token, { result: { saved: true }, error: null });
    await store().markDead(org, j.id, c1.token, { code: 'WEBHOOK_FAILED', message: 'x' });
    expect(await store().requeueDead(org, j.id)).toBe(true);
    const c2 = await store().claim(org, j.id, LEASE);
    if (c2.kind !== 'claimed') throw new Error(`not claimed: ${c2.kind}`);
    expect(c2.job).toMatchObject({ attempts: 1, result: { saved: true }, error: null });
    expect(await store().finish(org, j.id, c2.token, 'completed', {})).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({
      status: 'completed',
      result: { saved: true },
    });
  });

  it('fails and reopens jobs that were never published', async () => {
    const org = newOrg();
    const j = job();
    await store().create(org, j);
    expect(await store().reopenUnpublished(org, j.id)).toBe(false);
    expect(await store().failUnpublished(org, j.id, 'not queued')).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({
      status: 'failed',
      error: { code: NOT_ENQUEUED, message: 'not queued' },
    });
    expect(await store().reopenUnpublished(newOrg(), j.id)).toBe(false);
    expect(await store().reopenUnpublished(org, j.id)).toBe(true);
    expect(await store().get(org, j.id)).toMatchObject({ status: 'queued', error: null });
    // Once a run started, the job was evidently enqueued: neither applies any more.
    await store().claim(org, j.id, LEASE);
    expect(await store().failUnpublished(org, j.id, 'not queued')).toBe(false);
    const k = job();
    await store().create(org, k);
    const ck = await store().claim(org, k.id, LEASE);
    if (ck.kind !== 'claimed') throw new Error('not claimed');
    await store().finish(org, k.id, ck.token, 'failed', { error: { code: 'OTHER', message: 'x' } });
    expect(await store().reopenUnpublished(org, k.id)).toBe(false);
  });

  it('lists dead jobs per org, by type, a page at a time', async () => {
    const org = newOrg();
    const made: string[] = [];
    for (const type of ['echo', 'echo', 'other', 'echo']) {
      const j = job({ type });
      await store().create(org, j);
      await store().markDead(org, j.id, undefined, { code: 'X', message: 'x' });
      if (type === 'echo') made.push(j.id);
    }
    await store().create(org, job());
    // Oldest first, ties by id in the store's collation: the pages must split that one order.
    const ids = (await store().listDead(org, 'echo', {})).items.map((j) => j.id);
    expect([...ids].sort()).toEqual([...made].sort());
    const first = await store().listDead(org, 'echo', { limit: 2 });
    expect(first.items.map((j) => j.id)).toEqual(ids.slice(0, 2));
    expect(first.next_cursor).not.toBeNull();
    const second = await store().listDead(org, 'echo', { limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((j) => j.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();
    expect((await store().listDead(org, undefined, {})).items).toHaveLength(4);
    expect((await store().listDead(newOrg(), undefined, {})).items).toHaveLength(0);
    await expect(store().listDead(org, undefined, { cursor: 'garbage' })).rejects.toBeInstanceOf(
      AppException,
    );
  });

  it('scans queued and running jobs of the given types across orgs, by id', async () => {
    const type = `scan_${randomUUID().slice(0, 8)}`;
    const made = [];
    for (let i = 0; i < 5; i++) {
      const j = job({ type });
      await store().create(newOrg(), j);
      made.push(j.id);
    }
    const org = newOrg();
    const running = job({ type });
    const done = job({ type });
    await store().create(org, running);
    await store().create(org, done);
    await store().claim(org, running.id, LEASE);
    await store().markDead(org, done.id, undefined, { code: 'X', message: 'x' });
    made.push(running.id);
    // Paged by id (in the store's collation): every job exactly once across the pages.
    const page1 = await store().scanRecoverable([type], undefined, 4);
    const page2 = await store().scanRecoverable([type], page1[3].id, 4);
    const all = [...page1, ...page2];
    expect(page1).toHaveLength(4);
    expect(all.map((j) => j.id).sort()).toEqual([...made].sort());
    expect(all.find((j) => j.id === running.id)?.status).toBe('running');
    expect(all[0]).toMatchObject({ type, payload: { sealed: 'enc:v1:abc' }, run_after: null });
    expect(await store().scanRecoverable([], undefined, 10)).toEqual([]);
  });
}
