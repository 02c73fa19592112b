import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { appConfig, storesConfig } from '../../config';
import { HealthRegistry } from '../health/health-registry';
import { PostgresConnection } from './postgres.connection';
import { SQL_ENTITIES, SQL_MIGRATIONS } from './schema';

/**
 * The SQL store (metrics always; documents too when no MongoDB is configured): a real
 * PostgreSQL from DATABASE_URL, or embedded PGlite in DATA_DIR when nothing is configured.
 */
@Global()
@Module({
  providers: [
    {
      provide: PostgresConnection,
      inject: [appConfig.KEY, storesConfig.KEY, HealthRegistry],
      useFactory: async (
        app: ConfigType<typeof appConfig>,
        stores: ConfigType<typeof storesConfig>,
        health: HealthRegistry,
      ) => {
        const conn = await PostgresConnection.open({
          databaseUrl: stores.databaseUrl,
          dataDir: app.dataDir,
          entities: SQL_ENTITIES,
          migrations: SQL_MIGRATIONS,
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

  async onApplicationShutdown(): Promise<void> {
    await this.conn.close();
  }
}
