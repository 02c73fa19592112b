import { InvalidUsageRow, toUsageRecord, type UsageRow } from './usage-row';

const base: UsageRow = {
  time: new Date('2025-01-01T00:00:00Z'),
  org_id: 'org-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  input_tokens: 10,
  output_tokens: 5,
  cached_tokens: 0,
  cost_usd: 0.25,
  latency_ms: 120.6,
  status: 'success',
  cached: false,
};

describe('toUsageRecord', () => {
  it('makes optional fields explicit and rounds counts', () => {
    const rec = toUsageRecord(base, 'id-1');
    expect(rec).toMatchObject({
      id: 'id-1',
      user_id: null,
      agent_id: null,
      thread_id: null,
      reasoning_tokens: null,
      error_code: null,
      attempt: null,
      latency_ms: 121,
      cost_usd: 0.25,
    });
  });

  it('generates an id when none is given', () => {
    expect(toUsageRecord(base).id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
  });

  it('strips NUL characters and caps long text instead of failing the batch later', () => {
    const rec = toUsageRecord({ ...base, user_id: 'u\u0000x', model: 'm'.repeat(2000) });
    expect(rec.user_id).toBe('ux');
    expect(rec.model).toHaveLength(512);
  });

  it.each<[string, Partial<UsageRow>, RegExp]>([
    ['an invalid date', { time: new Date('nope') }, /time/],
    ['a missing org', { org_id: '' }, /org_id/],
    ['a non-string model', { model: 42 as unknown as string }, /model/],
    ['negative tokens', { input_tokens: -1 }, /input_tokens/],
    ['an integer overflow', { output_tokens: 3e9 }, /output_tokens/],
    ['a NaN cost', { cost_usd: Number.NaN }, /cost_usd/],
    ['an unknown status', { status: 'ok' as UsageRow['status'] }, /status/],
    ['a non-boolean cached', { cached: 'yes' as unknown as boolean }, /cached/],
  ])('rejects %s', (_name, patch, message) => {
    expect(() => toUsageRecord({ ...base, ...patch })).toThrow(InvalidUsageRow);
    expect(() => toUsageRecord({ ...base, ...patch })).toThrow(message);
  });

  it('accepts a null cost (unknown price)', () => {
    expect(toUsageRecord({ ...base, cost_usd: null }).cost_usd).toBeNull();
  });
});
