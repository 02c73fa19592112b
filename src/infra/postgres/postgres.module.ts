import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { appConfig, storesConfig } from '../../config';
import { HealthRegistry } from '../health/health-registry';
import { PostgresConnection } from './postgres.connection';

/** The SQL store's entities and migrations: the application root owns the list (app.schema.ts). */
export interface SqlSchema {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
}

const SQL_SCHEMA = Symbol('SQL_SCHEMA');

/**
 * The SQL store (metrics always; documents too when no MongoDB is configured): a real
 * PostgreSQL from DATABASE_URL, or embedded PGlite in DATA_DIR when nothing is configured.
 */
@Global()
@Module({
  providers: [
    {
      provide: PostgresConnection,
      inject: [appConfig.KEY, storesConfig.KEY, HealthRegistry, SQL_SCHEMA],
      useFactory: async (
        app: ConfigType<typeof appConfig>,
        stores: ConfigType<typeof storesConfig>,
        health: HealthRegistry,
        schema: SqlSchema,
      ) => {
        const conn = await PostgresConnection.open({
          databaseUrl: stores.databaseUrl,
          dataDir: app.dataDir,
          entities: schema.entities,
          migrations: schema.migrations,
          queryTimeoutMs: stores.queryTimeoutMs,
        });
        health.register({
          name: stores.embeddedPostgres ? 'postgres (embedded)' : 'postgres',
          required: true,
          check: () => conn.ping(),
        });
        return conn;
      },
    },
    {
      provide: DataSource,
      inject: [PostgresConnection],
      useFactory: (c: PostgresConnection) => c.dataSource,
    },
  ],
  exports: [PostgresConnection, DataSource],
})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(PostgresConnection) private readonly conn: PostgresConnection) {}

  static forRoot(schema: SqlSchema): DynamicModule {
    return { module: PostgresModule, providers: [{ provide: SQL_SCHEMA, useValue: schema }] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.conn.close();
  }
}
