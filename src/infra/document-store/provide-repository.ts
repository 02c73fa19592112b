import type { FactoryProvider, Type } from '@nestjs/common';
import type { Abstract } from '@nestjs/common/interfaces';
import type { ConfigType } from '@nestjs/config';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { DataSource } from 'typeorm';
import { storesConfig } from '../../config';

/**
 * Binds a repository port (an abstract class used as the injection token) to its MongoDB or
 * Postgres adapter, chosen once from config when the app is built, never at import time.
 * Adapters receive the raw connection: a mongoose Connection or a TypeORM DataSource.
 *
 *   providers: [provideRepository(AgentsRepository, MongoAgentsRepository, PostgresAgentsRepository)]
 */
export function provideRepository<P>(
  port: Abstract<P>,
  mongo: Type<P> & { new (connection: Connection): P },
  postgres: Type<P> & { new (dataSource: DataSource): P },
): FactoryProvider<P> {
  return {
    provide: port,
    // Injected (not looked up) so Nest builds the async connection providers first; the
    // mongoose connection exists only when MONGODB_URI is set, hence optional.
    inject: [storesConfig.KEY, DataSource, { token: getConnectionToken(), optional: true }],
    useFactory: (
      stores: ConfigType<typeof storesConfig>,
      dataSource: DataSource,
      connection: Connection | undefined,
    ): P => {
      if (stores.documentStore !== 'mongo') return new postgres(dataSource);
      if (!connection) throw new Error('MONGODB_URI is set but no MongoDB connection exists');
      return new mongo(connection);
    },
  };
}
