import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { isConfigKind, type ConfigChange, type ConfigKind } from '../events/config-change';
import { errorText } from '../events/config-change.bus';
import { watcherMetrics } from '../events/watcher.metrics';
import { ReconnectBackoff } from './backoff';
import type { ChangeSink, ChangeSource, SourceStatus } from './change-source';
import { SeenWindow } from './seen-window';
import { CHANGE_LOG_COLLECTION, STORE_OF_KIND } from './watched-stores';

export interface PollingOptions {
  intervalMs?: number;
  /** Tolerated lateness of a write (commit delay, clock skew between instances). */
  lookbackMs?: number;
  /** How long change-log entries (deletes) are kept for instances that are behind. */
  retentionMs?: number;
  /** Most records read per collection and poll. */
  batch?: number;
  /** A poll still running after this counts as failed (a read can hang on a dead socket). */
  pollTimeoutMs?: number;
}

/** A change-log entry: written for each change this instance makes, read by the others. */
interface ChangeLogDoc {
  _id: string;
  kind: string;
  org_id: string | null;
  entity_id: string;
  op: 'upsert' | 'delete';
  at: Date;
}

interface StampedDoc {
  _id: unknown;
  org_id?: unknown;
  updated_at?: unknown;
}

const PRUNE_EVERY_POLLS = 300;

/**
 * MongoDB without change streams (a standalone server, FerretDB): polls each configuration
 * collection for records whose `updated_at` moved, and a change log for what `updated_at`
 * cannot show — deletes — which every instance writes when it changes something
 * (`recordLocal`). A failed poll marks the watcher unhealthy; polling goes on with backoff and
 * catches up from where it was, so nothing is missed across a database restart.
 */
export class MongoPollingSource implements ChangeSource {
  readonly mode = 'polling' as const;
  private readonly logger = new Logger('ConfigWatcher');
  private readonly backoff = new ReconnectBackoff(500, 5_000);
  private readonly windows = new Map<string, SeenWindow>();
  private sink: ChangeSink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private healthy = false;
  private lastError: string | undefined;
  private polls = 0;

  constructor(
    private readonly connection: Connection,
    private readonly opts: PollingOptions = {},
  ) {}

  async start(sink: ChangeSink): Promise<void> {
    this.sink = sink;
    const start = await this.serverTime();
    const lookback = this.opts.lookbackMs ?? 30_000;
    for (const coll of [...Object.values(STORE_OF_KIND), CHANGE_LOG_COLLECTION]) {
      this.windows.set(coll, new SeenWindow(start, lookback));
    }
    void this.ensureIndexes();
    this.running = this.tick();
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  status(): SourceStatus {
    return { healthy: this.healthy, lastError: this.lastError };
  }

  async recordLocal(change: ConfigChange): Promise<void> {
    const doc: ChangeLogDoc = {
      _id: randomUUID(),
      kind: change.kind,
      org_id: change.org_id,
      entity_id: change.id,
      op: change.op,
      at: new Date(),
    };
    await this.db().collection<ChangeLogDoc>(CHANGE_LOG_COLLECTION).insertOne(doc);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let delay = this.opts.intervalMs ?? 1_000;
    try {
      await withTimeout(this.pollOnce(), this.opts.pollTimeoutMs ?? 10_000);
      if (!this.healthy && this.lastError !== undefined) this.logger.log('Polling recovered');
      this.healthy = true;
      this.backoff.reset();
    } catch (e) {
      const text = errorText(e);
      if (this.healthy || this.lastError !== text) {
        this.logger.warn(`Config polling failed: ${text}; retrying`);
      }
      watcherMetrics.failures.inc({ mode: this.mode });
      this.healthy = false;
      this.lastError = text;
      delay = Math.max(delay, this.backoff.next());
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delay);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    const db = this.db();
    const batch = this.opts.batch ?? 2_000;
    for (const [kind, coll] of Object.entries(STORE_OF_KIND) as Array<[ConfigKind, string]>) {
      const window = this.windows.get(coll)!;
      const docs = await db
        .collection<StampedDoc>(coll)
        .find(
          { updated_at: { $gte: window.since() } },
          { projection: { _id: 1, org_id: 1, updated_at: 1 } },
        )
        .sort({ updated_at: 1 })
        .limit(batch)
        .toArray();
      for (const d of docs) {
        if (!(d.updated_at instanceof Date) || !window.add(String(d._id), d.updated_at)) continue;
        const org = typeof d.org_id === 'string' ? d.org_id : null;
        this.sink?.change({ kind, org_id: org, id: String(d._id), op: 'upsert' });
      }
      window.prune();
    }
    const log = this.windows.get(CHANGE_LOG_COLLECTION)!;
    const entries = await db
      .collection<ChangeLogDoc>(CHANGE_LOG_COLLECTION)
      .find({ at: { $gte: log.since() } })
      .sort({ at: 1 })
      .limit(batch)
      .toArray();
    for (const e of entries) {
      if (!isConfigKind(e.kind) || !(e.at instanceof Date) || !log.add(e._id, e.at)) continue;
      this.sink?.change({ kind: e.kind, org_id: e.org_id, id: e.entity_id, op: e.op });
    }
    log.prune();
    if (++this.polls % PRUNE_EVERY_POLLS === 0) await this.pruneLog(db);
  }

  private async pruneLog(db: mongo.Db): Promise<void> {
    const before = new Date(Date.now() - (this.opts.retentionMs ?? 24 * 3600_000));
    await db.collection<ChangeLogDoc>(CHANGE_LOG_COLLECTION).deleteMany({ at: { $lt: before } });
  }

  /** The server's clock, so the first poll's window does not depend on this host's. */
  private async serverTime(): Promise<number> {
    try {
      const hello = await this.db().admin().command({ hello: 1 });
      const t = hello.localTime as unknown;
      if (t instanceof Date) return t.getTime();
    } catch {
      // Unreachable right now: the first poll will say so.
    }
    return Date.now();
  }

  /** Polls filter on `updated_at` / `at`: index them (best effort; they may exist already). */
  private async ensureIndexes(): Promise<void> {
    try {
      const db = this.db();
      for (const coll of Object.values(STORE_OF_KIND)) {
        await db.collection(coll).createIndex({ updated_at: 1 });
      }
      await db.collection(CHANGE_LOG_COLLECTION).createIndex({ at: 1 });
    } catch (e) {
      this.logger.warn(`Could not create the polling indexes: ${errorText(e)}`);
    }
  }

  private db(): mongo.Db {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db;
  }
}

/** Rejects when `p` takes longer than `ms`; `p` itself runs on (its late results are deduped). */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a poll took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
