import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';

/** The message node-postgres gives a query that outlived `query_timeout`. */
const READ_TIMEOUT = 'Query read timeout';

/**
 * A pg client that drops its connection when a query outlives `query_timeout`. node-postgres
 * fails such a query but keeps the socket, whose next queries would queue behind the silent
 * one forever (a blackholed server answers nothing); closing it makes the pool discard the
 * client and open a fresh connection once the server answers again.
 */
export class DeadlineClient extends Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      result.catch((e: unknown) => {
        if (e instanceof Error && e.message === READ_TIMEOUT) this.dropConnection();
      });
    }
    return result;
  }

  private dropConnection(): void {
    (
      this as unknown as { connection?: { stream?: { destroy(): void } } }
    ).connection?.stream?.destroy();
  }
}

export interface PostgresConnectionOptions {
  /** Real server URL; when absent the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
  /**
   * A real server's statement timeout, client-side read timeout and connect timeout (ms). Not
   * applied to embedded PGlite, a local child process that cannot be partitioned away.
   */
  queryTimeoutMs?: number;
}

/**
 * Owns the SQL store: the embedded server (when used) and the TypeORM DataSource, so it can
 * close them in the right order (pool first, then the server under it).
 */
export class PostgresConnection {
  private readonly logger = new Logger('Postgres');

  private constructor(
    readonly dataSource: DataSource,
    readonly embedded: EmbeddedPostgres | undefined,
  ) {}

  static async open(opts: PostgresConnectionOptions): Promise<PostgresConnection> {
    const embedded = opts.databaseUrl ? undefined : await EmbeddedPostgres.start(opts.dataDir);
    const common = {
      type: 'postgres' as const,
      entities: opts.entities ?? [],
      migrations: opts.migrations ?? [],
      migrationsRun: true,
      migrationsTransactionMode: 'each' as const,
      synchronize: false,
      // Off: TypeORM's error logging prints query parameters (prompts, conversation content);
      // failures surface as exceptions and are logged by their callers without the data.
      logging: false,
    };
    const options: DataSourceOptions = embedded
      ? // PGlite serves one connection at a time: a pool of one keeps transactions intact.
        {
          ...common,
          host: embedded.socketDir,
          port: 5432,
          username: 'postgres',
          database: 'postgres',
          extra: { max: 1 },
        }
      : {
          ...common,
          url: opts.databaseUrl,
          // Migrations (an index on a large table can take minutes) run first, unbounded, on a
          // connection of their own; every query after that is bounded.
          migrationsRun: false,
          extra: serverPoolOptions(opts.queryTimeoutMs ?? 5000),
        };
    const dataSource = new DataSource(options);
    try {
      if (!embedded) await migrate({ ...options, extra: { max: 1 } });
      await dataSource.initialize();
    } catch (e) {
      await embedded?.stop();
      throw e;
    }
    const conn = new PostgresConnection(dataSource, embedded);
    conn.logger.log(
      embedded ? `Embedded PGlite ready in ${opts.dataDir}` : 'Connected to PostgreSQL',
    );
    return conn;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

/** Runs pending migrations on a short-lived DataSource without query timeouts. */
async function migrate(options: DataSourceOptions): Promise<void> {
  const ds = new DataSource({ ...options, migrationsRun: true });
  await ds.initialize();
  await ds.destroy();
}

/**
 * pg-pool options for a real server. Every query is bounded twice: by the server
 * (`statement_timeout`, a clean error while it is alive) and by the client a second later
 * (`query_timeout`, for a server that went silent, after which DeadlineClient drops the
 * connection); opening a connection, or waiting for one from the pool, is bounded too.
 */
export function serverPoolOptions(timeoutMs: number): Record<string, unknown> {
  return {
    max: 10,
    Client: DeadlineClient,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    keepAlive: true,
  };
}
