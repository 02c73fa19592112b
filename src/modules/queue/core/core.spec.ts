import { BACKOFF_FACTOR, MAX_RETRY_DELAY_MS, retryCeilingMs, retryDelayMs } from './backoff';
import {
  decodeEnvelope,
  encodeEnvelope,
  PoisonMessageError,
  type JobEnvelope,
} from './job-envelope';
import { queueNames, retryQueueCount } from './topology';

describe('retry backoff', () => {
  it('grows by a factor of 4 per retry and is capped at an hour', () => {
    expect(retryCeilingMs(1000, 1)).toBe(1000);
    expect(retryCeilingMs(1000, 2)).toBe(1000 * BACKOFF_FACTOR);
    expect(retryCeilingMs(1000, 3)).toBe(16_000);
    expect(retryCeilingMs(1000, 30)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(retryDelayMs(1000, 2, () => 0)).toBe(2000);
    expect(retryDelayMs(1000, 2, () => 0.999999)).toBe(4000);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(1000, 3)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) {
      expect(d).toBeGreaterThanOrEqual(8000);
      expect(d).toBeLessThanOrEqual(16_000);
    }
  });
});

describe('job envelope', () => {
  const env: JobEnvelope = {
    v: 1,
    id: 'job_abc',
    type: 'completion',
    org_id: 'o1',
    payload: { a: 1 },
  };

  it('round-trips', () => {
    expect(decodeEnvelope(encodeEnvelope(env))).toEqual(env);
  });

  it.each([
    ['not JSON', '{nope'],
    ['an array', '[1]'],
    ['another version', JSON.stringify({ ...env, v: 2 })],
    ['a bad id', JSON.stringify({ ...env, id: 'has space' })],
    ['a bad type', JSON.stringify({ ...env, type: 'Bad-Type' })],
    ['no org', JSON.stringify({ ...env, org_id: '' })],
    ['no payload', JSON.stringify({ v: 1, id: 'j', type: 't', org_id: 'o' })],
  ])('refuses %s as poison', (_what, body) => {
    expect(() => decodeEnvelope(Buffer.from(body))).toThrow(PoisonMessageError);
  });
});

describe('topology names', () => {
  it('derives every name from the prefix and type', () => {
    const n = queueNames('gw', 'completion');
    expect(n).toMatchObject({
      exchange: 'gw.jobs',
      work: 'gw.jobs.completion',
      workKey: 'completion',
      dead: 'gw.jobs.completion.dead',
      deadKey: 'completion.dead',
    });
    expect(n.retry(2)).toBe('gw.jobs.completion.retry.2');
    expect(n.retryKey(2)).toBe('completion.retry.2');
  });

  it('declares one retry queue per retry, and at least one', () => {
    expect(retryQueueCount(6)).toBe(5);
    expect(retryQueueCount(1)).toBe(1);
  });
});
