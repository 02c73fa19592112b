import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { MONGO_CONNECTION } from '../../../infra/mongo/mongo-connection.token';
import type { Connection } from 'mongoose';
import { storesConfig } from '../../../config';
import { ComponentStatus } from '../../../infra/health/component-status';
import { ConfigChangeBus } from '../events/config-change.bus';
import type { ChangeSource, WatcherMode } from '../sources/change-source';
import { InProcessSource } from '../sources/in-process.source';
import { detectChangeStreams } from '../sources/mongo-capabilities';
import {
  MongoChangeStreamSource,
  type ChangeStreamLike,
} from '../sources/mongo-change-stream.source';
import { MongoPollingSource } from '../sources/mongo-polling.source';
import { PostgresListenSource } from '../sources/postgres-listen.source';
import { ConfigRelayHolder } from './relay.holder';

/** What /health/ready shows for the watcher. */
export interface WatcherStatus {
  mode: WatcherMode | 'starting';
  healthy: boolean;
  last_event_at: string | null;
  events: number;
  last_error?: string;
  /** Instance-to-instance fan-out in front of the database watcher. */
  relay: 'redis' | 'none';
  relay_connected?: boolean;
}

/**
 * Chooses how this instance learns about configuration changes made elsewhere, from the store
 * it runs on, and starts it: MongoDB change streams where the server offers them, polling where
 * it does not (standalone MongoDB, FerretDB), LISTEN/NOTIFY on PostgreSQL, nothing to watch in
 * embedded mode (one process, changes announced in-process). What it sees goes to the
 * ConfigChangeBus, which the caches subscribe to.
 */
@Injectable()
export class ConfigWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ConfigWatcher');
  private source: ChangeSource | undefined;
  private removeForwarder: (() => void) | undefined;

  constructor(
    private readonly bus: ConfigChangeBus,
    private readonly relay: ConfigRelayHolder,
    @Inject(storesConfig.KEY) private readonly stores: ConfigType<typeof storesConfig>,
    @Optional() @Inject(MONGO_CONNECTION) private readonly mongo?: Connection,
    @Optional() components?: ComponentStatus,
  ) {
    // Shown by readiness, never failing it: the store's own check does that when it is down,
    // and a lagging watcher only delays config changes by the caches' TTLs.
    components?.register('config-watcher', () => ({ ...this.status() }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const source = await this.choose();
    this.source = source;
    if (source.recordLocal) {
      const record = source.recordLocal.bind(source);
      this.removeForwarder = this.bus.addForwarder({ name: 'change-log', forward: record });
    }
    await source.start({
      change: (c) => this.bus.receive(c),
      resync: (reason) => this.bus.resync(reason),
    });
    this.logger.log(
      `watching configuration changes: ${source.mode}` +
        (this.relay.relay ? ', relayed over Redis' : ''),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.removeForwarder?.();
    await this.source?.stop();
  }

  status(): WatcherStatus {
    const source = this.source?.status();
    const stats = this.bus.stats();
    const relay = this.relay.relay;
    return {
      mode: this.source?.mode ?? 'starting',
      healthy: source?.healthy ?? false,
      last_event_at: stats.lastEventAt?.toISOString() ?? null,
      events: stats.events,
      ...(source?.lastError ? { last_error: source.lastError } : {}),
      relay: relay ? 'redis' : 'none',
      ...(relay ? { relay_connected: relay.connected } : {}),
    };
  }

  private async choose(): Promise<ChangeSource> {
    if (this.stores.documentStore === 'mongo') {
      const connection = this.mongo;
      const db = connection?.db;
      if (!connection || !db)
        throw new Error('MONGODB_URI is set but no MongoDB connection exists');
      const support = await detectChangeStreams(db);
      if (support.supported) {
        return new MongoChangeStreamSource((pipeline, options): ChangeStreamLike =>
          db.watch(pipeline, options),
        );
      }
      this.logger.log(`MongoDB change streams unavailable (${support.reason}): polling instead`);
      return new MongoPollingSource(connection);
    }
    if (this.stores.databaseUrl) return new PostgresListenSource(this.stores.databaseUrl);
    return new InProcessSource();
  }
}
