import type { FactoryProvider, Type } from '@nestjs/common';
import type { Abstract } from '@nestjs/common/interfaces';
import { ModuleRef } from '@nestjs/core';
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
    inject: [storesConfig.KEY, ModuleRef],
    useFactory: (stores: ConfigType<typeof storesConfig>, refs: ModuleRef): P =>
      stores.documentStore === 'mongo'
        ? new mongo(refs.get<Connection>(getConnectionToken(), { strict: false }))
        : new postgres(refs.get(DataSource, { strict: false })),
  };
}
