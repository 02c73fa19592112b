import { DynamicModule, Module, Type } from '@nestjs/common';
import type { Env } from '../config';
import { HealthRegistryModule } from './health/health-registry';
import { PostgresModule, type SqlSchema } from './postgres/postgres.module';
import { RabbitMqInfraModule } from './rabbitmq/rabbitmq.module';
import { RedisModule } from './redis/redis.module';

/**
 * Connections, chosen once from the validated config: each real service when its URL is set,
 * the embedded default otherwise (PGlite for SQL; in-memory stores and an in-process queue are
 * chosen by the modules that use Redis and RabbitMQ).
 */
@Module({})
export class InfraModule {
  /** `sqlSchema`: the SQL store's entities and migrations, which the application root owns. */
  static forRoot(env: Env, sqlSchema: SqlSchema): DynamicModule {
    const imports: Array<Type | DynamicModule> = [
      HealthRegistryModule,
      PostgresModule.forRoot(sqlSchema),
      RedisModule,
    ];
    if (env.RABBITMQ_URL) imports.push(RabbitMqInfraModule.forRoot(env.RABBITMQ_URL));
    const exports = [...imports];
    // Loaded only when used: mongoose and the driver cost ~16 MB of memory. The module is
    // global (its connection is injectable everywhere), so it need not be re-exported here.
    const uri = env.MONGODB_URI;
    const mongo = uri
      ? [
          import('./mongo/mongo.module').then((m) =>
            m.MongoModule.forRoot(uri, env.DB_QUERY_TIMEOUT_MS),
          ),
        ]
      : [];
    return { module: InfraModule, imports: [...imports, ...mongo], exports };
  }
}
