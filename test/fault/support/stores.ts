import type { Json } from '../../support/json';
import { MongoClient } from 'mongodb';
import { Client } from 'pg';
import type { Sent } from './load';

/** What the stores hold for one org, per thread and per request id. */
export interface Stored {
  /** thread id -> exchanges appended to it. */
  exchanges: Map<string, number>;
  /** request id -> successful call logs. */
  callLogs: Map<string, number>;
  /** user id -> successful usage rows. */
  usage: Map<string, number>;
}

export interface Audit {
  answered: number;
  lostExchanges: number;
  duplicatedExchanges: number;
  lostCallLogs: number;
  duplicatedCallLogs: number;
  lostUsageRows: number;
  duplicatedUsageRows: number;
}

/**
 * Reads what the real services hold, straight from them (never through the gateway or a fault
 * proxy): conversations and call logs from the document store (PostgreSQL or MongoDB), usage
 * rows from PostgreSQL.
 */
export class StoreReader implements Auditor {
  private constructor(
    private readonly pg: Client,
    private readonly mongo: MongoClient | undefined,
  ) {}

  static async open(databaseUrl: string, mongoUri?: string): Promise<StoreReader> {
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    const mongo = mongoUri ? await new MongoClient(mongoUri).connect() : undefined;
    return new StoreReader(pg, mongo);
  }

  async close(): Promise<void> {
    await this.pg.end();
    await this.mongo?.close();
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pg.query(sql, params)).rows as T[];
  }

  get mongoDb() {
    return this.mongo?.db();
  }

  async read(org: string): Promise<Stored> {
    const usage = await this.counts(
      `SELECT user_id AS k, COUNT(*)::int AS n FROM usage_metrics
       WHERE org_id = $1 AND status = 'success' GROUP BY user_id`,
      org,
    );
    const db = this.mongo?.db();
    if (!db) {
      return {
        exchanges: await this.counts(
          `SELECT thread_id AS k, COUNT(DISTINCT exchange_id)::int AS n FROM conversation_messages
           WHERE org_id = $1 GROUP BY thread_id`,
          org,
        ),
        callLogs: await this.counts(
          `SELECT request_id AS k, COUNT(*)::int AS n FROM call_logs
           WHERE org_id = $1 AND outcome = 'success' GROUP BY request_id`,
          org,
        ),
        usage,
      };
    }
    const exchanges = new Map<string, number>();
    for await (const d of db
      .collection<{ thread_id: string }>('conversation_exchanges')
      .find({ org_id: org }, { projection: { thread_id: 1 } })) {
      exchanges.set(d.thread_id, (exchanges.get(d.thread_id) ?? 0) + 1);
    }
    const callLogs = new Map<string, number>();
    for await (const d of db
      .collection<{ request_id: string }>('call_logs')
      .find({ org_id: org, outcome: 'success' }, { projection: { request_id: 1 } })) {
      callLogs.set(d.request_id, (callLogs.get(d.request_id) ?? 0) + 1);
    }
    return { exchanges, callLogs, usage };
  }

  /** Matches the answered requests against the stores. */
  async audit(org: string, sent: Sent[]): Promise<Audit> {
    return auditStored(await this.read(org), sent);
  }

  private async counts(sql: string, org: string): Promise<Map<string, number>> {
    const rows = await this.query<{ k: string; n: number }>(sql, [org]);
    return new Map(rows.map((r) => [r.k, r.n]));
  }
}

/** Anything that can say what the stores hold for an org and audit a run against it. */
export interface Auditor {
  audit(org: string, sent: Sent[]): Promise<Audit>;
}

export function auditStored(s: Stored, sent: Sent[]): Audit {
  const answered = sent.filter((x) => x.status === 200);
  const a: Audit = {
    answered: answered.length,
    lostExchanges: 0,
    duplicatedExchanges: 0,
    lostCallLogs: 0,
    duplicatedCallLogs: 0,
    lostUsageRows: 0,
    duplicatedUsageRows: 0,
  };
  for (const r of answered) {
    const c = s.callLogs.get(r.requestId) ?? 0;
    const u = s.usage.get(r.userId) ?? 0;
    if (r.threadId !== undefined) {
      const x = s.exchanges.get(r.threadId) ?? 0;
      if (x === 0) a.lostExchanges++;
      if (x > 1) a.duplicatedExchanges++;
    }
    if (c === 0) a.lostCallLogs++;
    if (c > 1) a.duplicatedCallLogs++;
    if (u === 0) a.lostUsageRows++;
    if (u > 1) a.duplicatedUsageRows++;
  }
  return a;
}

/** True when nothing answered is missing (duplicates are checked separately, once settled). */
export const nothingLost = (a: Audit): boolean =>
  a.lostExchanges === 0 && a.lostCallLogs === 0 && a.lostUsageRows === 0;

/**
 * Reads what a gateway stored through its own API (threads, call logs, usage), for the
 * embedded mode, whose database only the gateway can open.
 */
export class ApiReader implements Auditor {
  constructor(
    private readonly url: () => string,
    private readonly token: string,
  ) {}

  async audit(org: string, sent: Sent[]): Promise<Audit> {
    const answered = sent.filter((s) => s.status === 200);
    const exchanges = new Map<string, number>();
    for (const r of answered) {
      if (r.threadId === undefined) continue;
      const res = await this.get(`/api/v1/threads/${r.threadId}/messages?limit=200`);
      const ids = new Set(
        res.status === 404
          ? []
          : (res.body.data as Array<{ exchange_id: string }>).map((m) => m.exchange_id),
      );
      exchanges.set(r.threadId, ids.size);
    }
    const callLogs = new Map<string, number>();
    for (let cursor: string | undefined; ;) {
      const res = await this.get(`/api/v1/call-logs?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      for (const l of res.body.data as Array<{ request_id: string; outcome: string }>) {
        if (l.outcome === 'success')
          callLogs.set(l.request_id, (callLogs.get(l.request_id) ?? 0) + 1);
      }
      cursor = res.body.next_cursor ?? undefined;
      if (!cursor) break;
    }
    const usage = new Map<string, number>();
    const from = new Date(Math.min(...sent.map((s) => s.at)) - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await this.get(
      `/api/v1/metrics/usage?from=${from}&to=${to}&interval=1h&group_by=user`,
    );
    for (const b of res.body.data.buckets as Array<{
      group: string;
      requests: number;
      errors: number;
    }>) {
      usage.set(b.group, (usage.get(b.group) ?? 0) + b.requests - b.errors);
    }
    return auditStored({ exchanges, callLogs, usage }, sent);
  }

  private async get(path: string): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${this.url()}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    return { status: res.status, body: await res.json() };
  }
}
