import { randomUUID } from 'node:crypto';
import { toUsageRecord } from '../../src/modules/metrics';
import { MongoOutbox } from '../../src/modules/completions/pipeline/post-answer/mongo/mongo-outbox';
import type { PostAnswerRecord } from '../../src/modules/completions/pipeline/post-answer/post-answer.record';
import { PostgresOutbox } from '../../src/modules/completions/pipeline/post-answer/postgres/postgres-outbox';
import { SqlPostAnswerWriter } from '../../src/modules/completions/pipeline/post-answer/postgres/sql-post-answer.writer';
import type { PostAnswerOutbox } from '../../src/modules/completions/pipeline/post-answer/post-answer.spool';
import { describeEachBackend, describeEachSqlBackend, newOrg } from './contracts/backends';

function record(org: string, over: Partial<PostAnswerRecord> = {}): PostAnswerRecord {
  const at = new Date();
  const id = randomUUID().slice(0, 8);
  return {
    id: `par_${id}`,
    org_id: org,
    at,
    exchange: {
      thread_id: `th-${id}`,
      sub_thread_id: null,
      exchange_id: `xch_${id}`,
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'Echo: hello', model: 'gpt-4o-mini', service: 'openai' },
      ],
    },
    call_log: {
      id: `clog_${id}`,
      org_id: org,
      request_id: `req-${id}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      latency_ms: 12,
      created_at: at,
    },
    usage: [
      toUsageRecord({
        time: at,
        org_id: org,
        user_id: `user-${id}`,
        service: 'openai',
        model: 'gpt-4o-mini',
        input_tokens: 3,
        output_tokens: 4,
        cached_tokens: 0,
        cost_usd: 0.001,
        latency_ms: 12,
        status: 'success',
        cached: false,
      }),
    ],
    ...over,
  };
}

describeEachBackend('post-answer outbox', (backend) => {
  let outbox: PostAnswerOutbox;
  beforeAll(() => {
    const b = backend();
    outbox =
      b.kind === 'mongo'
        ? new MongoOutbox(b.connection, 'documents')
        : new PostgresOutbox(b.dataSource, 'metrics');
  });
  /** Claims everything due and keeps ours (other suites may share the store). */
  const claim = async (ids: string[], now: Date, leaseMs = 30_000) =>
    (await outbox.claimDue(10_000, now, new Date(now.getTime() + leaseMs))).filter((e) =>
      ids.includes(e.record.id),
    );

  it('holds a record once however often, hands it out as written, leases it, removes it', async () => {
    const org = newOrg();
    const a = record(org);
    const b = record(org);
    await Promise.all([outbox.hold(a), outbox.hold(a), outbox.hold(b)]);
    const ids = [a.id, b.id];
    const first = await claim(ids, new Date(Date.now() + 1000));
    expect(first.map((e) => e.record).sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [a, b].sort((x, y) => x.id.localeCompare(y.id)),
    );
    // Leased: not handed out again until the lease ends.
    expect(await claim(ids, new Date(Date.now() + 2000))).toEqual([]);
    await outbox.retryLater(a.id, 'metrics store down', new Date(Date.now() + 5000));
    await outbox.remove([b.id]);
    const later = await claim(ids, new Date(Date.now() + 60_000));
    expect(later).toEqual([{ record: a, attempts: 1 }]);
    await outbox.remove([a.id]);
    expect(await claim(ids, new Date(Date.now() + 3_600_000))).toEqual([]);
  });
});

describeEachSqlBackend('SqlPostAnswerWriter (documents and metrics in one PostgreSQL)', (ds) => {
  let writer: SqlPostAnswerWriter;
  const count = async (sql: string, params: unknown[]) => {
    const rows: Array<{ n: number }> = await ds().query(sql, params);
    return rows[0].n;
  };
  beforeAll(() => {
    writer = new SqlPostAnswerWriter(ds());
  });

  it('stores a record whole in one statement, once however often it is written', async () => {
    const org = newOrg();
    const r = record(org);
    await writer.write(r);
    await Promise.all([writer.write(r), writer.write(record(org))]);
    await writer.write(r);
    expect(
      await count(
        `SELECT COUNT(*)::int AS n FROM conversation_messages WHERE org_id = $1 AND thread_id = $2`,
        [org, r.exchange!.thread_id],
      ),
    ).toBe(2);
    expect(await count(`SELECT COUNT(*)::int AS n FROM call_logs WHERE org_id = $1`, [org])).toBe(
      2,
    );
    expect(
      await count(`SELECT COUNT(*)::int AS n FROM usage_metrics WHERE org_id = $1`, [org]),
    ).toBe(2);
  });

  it('fails a bad record alone when it shares a statement with good ones', async () => {
    const org = newOrg();
    const bad = record(org);
    bad.exchange!.messages[0] = { role: 'narrator' as never, content: 'x' };
    const good = record(org);
    const results = await Promise.allSettled([writer.write(good), writer.write(bad)]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected']);
    expect(await count(`SELECT COUNT(*)::int AS n FROM call_logs WHERE org_id = $1`, [org])).toBe(
      1,
    );
  });
});
