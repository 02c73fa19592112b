import type { FactoryProvider, Type } from '@nestjs/common';
import type { Abstract } from '@nestjs/common/interfaces';
import type { ConfigType } from '@nestjs/config';
import type { Connection } from 'mongoose';
import { DataSource } from 'typeorm';
import { storesConfig } from '../../config';
import { MONGO_CONNECTION } from '../mongo/mongo-connection.token';

/** Loads a MongoDB adapter class on demand (a dynamic import of its module). */
export type MongoAdapterLoader<P> = () => Promise<Type<P> & { new (connection: Connection): P }>;

/**
 * Binds a repository port (an abstract class used as the injection token) to its MongoDB or
 * Postgres adapter, chosen once from config when the app is built, never at import time.
 * Adapters receive the raw connection: a mongoose Connection or a TypeORM DataSource. The
 * MongoDB adapter is loaded only when it is chosen, so a deployment without MONGODB_URI never
 * loads mongoose, its schemas or the driver.
 *
 *   providers: [
 *     provideRepository(
 *       AgentsRepository,
 *       () => import('./mongo/mongo-agents.repository').then((m) => m.MongoAgentsRepository),
 *       PostgresAgentsRepository,
 *     ),
 *   ]
 */
export function provideRepository<P>(
  port: Abstract<P>,
  loadMongo: MongoAdapterLoader<P>,
  postgres: Type<P> & { new (dataSource: DataSource): P },
): FactoryProvider<P | Promise<P>> {
  return {
    provide: port,
    // Injected (not looked up) so Nest builds the async connection providers first; the
    // mongoose connection exists only when MONGODB_URI is set, hence optional.
    inject: [storesConfig.KEY, DataSource, { token: MONGO_CONNECTION, optional: true }],
    useFactory: async (
      stores: ConfigType<typeof storesConfig>,
      dataSource: DataSource,
      connection: Connection | undefined,
    ): Promise<P> => {
      if (stores.documentStore !== 'mongo') return new postgres(dataSource);
      if (!connection) throw new Error('MONGODB_URI is set but no MongoDB connection exists');
      const Mongo = await loadMongo();
      return new Mongo(connection);
    },
  };
}
