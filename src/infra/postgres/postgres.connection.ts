import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { EmbeddedPostgres } from './embedded-postgres';

export interface PostgresConnectionOptions {
  /** Real server URL; when absent the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function | string>;
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
      : { ...common, url: opts.databaseUrl, extra: { max: 10, connectionTimeoutMillis: 5000 } };
    const dataSource = new DataSource(options);
    try {
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
