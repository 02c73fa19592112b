import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { parseConfigChange } from '../events/config-change';
import { errorText } from '../events/config-change.bus';
import { watcherMetrics } from '../events/watcher.metrics';
import { ReconnectBackoff } from './backoff';
import type { ChangeSink, ChangeSource, SourceStatus } from './change-source';
import { NOTIFY_CHANNEL } from './watched-stores';

export interface PostgresListenOptions {
  /** An idle LISTEN connection can die silently (a NAT, a proxy): probe it this often. */
  heartbeatMs?: number;
}

/**
 * Postgres LISTEN/NOTIFY: triggers on the configuration tables (the config-watcher migration)
 * NOTIFY on commit, for writes made by any instance or by hand. One dedicated connection
 * listens; when it is lost, notifications sent meanwhile are gone, so it reconnects with backoff
 * and then asks every cache to resync.
 */
export class PostgresListenSource implements ChangeSource {
  readonly mode = 'listen-notify' as const;
  private readonly logger = new Logger('ConfigWatcher');
  private readonly backoff = new ReconnectBackoff();
  private client: Client | undefined;
  private sink: ChangeSink | undefined;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  private healthy = false;
  private missedSome = false;
  private lastError: string | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly opts: PostgresListenOptions = {},
  ) {}

  async start(sink: ChangeSink): Promise<void> {
    this.sink = sink;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  status(): SourceStatus {
    return { healthy: this.healthy, lastError: this.lastError };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.connectionString,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      application_name: 'aimw-config-watcher',
    });
    this.client = client;
    client.on('notification', (msg) => {
      if (msg.channel === NOTIFY_CHANNEL && msg.payload) this.onPayload(msg.payload);
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (e) {
      this.lost(client, e);
      return;
    }
    if (this.client !== client) return;
    this.healthy = true;
    this.backoff.reset();
    if (this.missedSome) {
      this.missedSome = false;
      this.logger.log('LISTEN connection re-established');
      this.sink?.resync('the LISTEN connection was re-established');
    }
    const every = this.opts.heartbeatMs ?? 10_000;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((e: unknown) => this.lost(client, e));
    }, every);
    this.heartbeat.unref();
  }

  /** Handles the loss of `client` once (error and end both fire), then reconnects later. */
  private lost(client: Client, e: unknown): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.end().catch(() => undefined);
    const text = errorText(e);
    if (this.healthy || this.lastError !== text) {
      this.logger.warn(`Config watcher lost its LISTEN connection: ${text}; reconnecting`);
    }
    watcherMetrics.failures.inc({ mode: this.mode });
    this.healthy = false;
    this.missedSome = true;
    this.lastError = text;
    this.retry = setTimeout(() => void this.connect(), this.backoff.next());
    this.retry.unref();
  }

  private onPayload(payload: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(payload);
    } catch {
      return;
    }
    const change = parseConfigChange(raw);
    if (change) this.sink?.change(change);
  }
}
