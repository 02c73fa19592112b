import { CallLogsRepository } from '../../../src/modules/conversations/call-logs/call-logs.repository';
import { CallLogsService } from '../../../src/modules/conversations/call-logs/call-logs.service';
import { MongoCallLogsRepository } from '../../../src/modules/conversations/call-logs/mongo/mongo-call-logs.repository';
import { PostgresCallLogsRepository } from '../../../src/modules/conversations/call-logs/postgres/postgres-call-logs.repository';
import type { NewCallLog } from '../../../src/modules/conversations/call-logs/call-log.types';
import { adapterFor, describeEachBackend, newOrg } from './backends';

describeEachBackend('CallLogsRepository contract', (backend) => {
  let logs: CallLogsService;
  let repo: CallLogsRepository;
  beforeAll(() => {
    repo = adapterFor(
      CallLogsRepository,
      backend(),
      MongoCallLogsRepository,
      PostgresCallLogsRepository,
    );
    logs = new CallLogsService(repo);
  });

  const entry = (org: string, i: number, extra: Partial<NewCallLog> = {}): NewCallLog => ({
    org_id: org,
    user_id: 'user-1',
    service: 'openai',
    model: 'gpt-4o-mini',
    outcome: 'success',
    latency_ms: 100 + i,
    input_tokens: 10,
    output_tokens: 5,
    cost_usd: 0.00012,
    request: { endpoint: 'agent', message_count: 2, stream: false },
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    ...extra,
  });

  it('records a completion with defaults filled and reads it back exactly', async () => {
    const org = newOrg();
    const rec = await logs.record(entry(org, 1, { agent_id: 'agt_aaaaaaaaaaaaaaaa' }));
    expect(rec).toMatchObject({
      id: expect.stringMatching(/^clog_/),
      total_tokens: 15,
      cached: false,
      cached_tokens: 0,
      error_code: null,
      thread_id: null,
    });
    const page = await logs.list(org, {}, {});
    expect(page.items).toEqual([rec]);
  });

  it('lists newest first with pagination, filters by agent and thread, within the org', async () => {
    const org = newOrg();
    await logs.recordMany([
      entry(org, 1, { agent_id: 'agt_aaaaaaaaaaaaaaaa' }),
      entry(org, 2, { thread_id: 'th-1', outcome: 'error', error_code: 'PROVIDER_TIMEOUT' }),
      entry(org, 3, { agent_id: 'agt_aaaaaaaaaaaaaaaa', thread_id: 'th-1', cached: true }),
    ]);
    await logs.record(entry(newOrg(), 4));
    const first = await logs.list(org, {}, { limit: 2 });
    expect(first.items.map((l) => l.latency_ms)).toEqual([103, 102]);
    const second = await logs.list(org, {}, { limit: 2, cursor: first.next_cursor! });
    expect(second.items.map((l) => l.latency_ms)).toEqual([101]);
    expect(second.next_cursor).toBeNull();
    const byAgent = await logs.list(org, { agent_id: 'agt_aaaaaaaaaaaaaaaa' }, {});
    expect(byAgent.items.map((l) => l.latency_ms)).toEqual([103, 101]);
    const byThread = await logs.list(org, { thread_id: 'th-1' }, {});
    expect(byThread.items.map((l) => [l.outcome, l.cached, l.error_code])).toEqual([
      ['success', true, null],
      ['error', false, 'PROVIDER_TIMEOUT'],
    ]);
  });

  it('never stores an oversize request summary (it could carry a prompt)', async () => {
    const org = newOrg();
    const rec = await logs.record(entry(org, 1, { request: { prompt: 'x'.repeat(10_000) } }));
    expect(rec.request).toEqual({ truncated: true });
    expect((await logs.list(org, {}, {})).items[0].request).toEqual({ truncated: true });
  });

  it('fails a batch holding a bad entry; retrying the rest stores each log once', async () => {
    const org = newOrg();
    const good = [entry(org, 1, { id: `clog_a${org}` }), entry(org, 3, { id: `clog_c${org}` })];
    const bad = { ...entry(org, 2), outcome: 'exploded' } as unknown as NewCallLog;
    await expect(logs.recordMany([good[0], bad, good[1]])).rejects.toBeDefined();
    await logs.recordMany(good);
    expect((await logs.list(org, {}, {})).items.map((l) => l.latency_ms)).toEqual([103, 101]);
  });

  it('stores a log once however often it is recorded with its id', async () => {
    const org = newOrg();
    const once = entry(org, 1, { id: `clog_once${org}` });
    await logs.record(once);
    await Promise.all([logs.record(once), logs.record(entry(org, 2, { id: `clog_two${org}` }))]);
    await logs.recordMany([once]);
    expect((await logs.list(org, {}, {})).items.map((l) => l.id).sort()).toEqual(
      [`clog_once${org}`, `clog_two${org}`].sort(),
    );
  });
});
