import { DynamicModule, Module, Type } from '@nestjs/common';
import type { Env } from '../config';
import { HealthRegistryModule } from './health/health-registry';
import { MongoModule } from './mongo/mongo.module';
import { PostgresModule } from './postgres/postgres.module';
import { RabbitMqInfraModule } from './rabbitmq/rabbitmq.module';
import { RedisModule } from './redis/redis.module';

/**
 * Connections, chosen once from the validated config: each real service when its URL is set,
 * the embedded default otherwise (PGlite for SQL; in-memory stores and an in-process queue are
 * chosen by the modules that use Redis and RabbitMQ).
 */
@Module({})
export class InfraModule {
  static forRoot(env: Env): DynamicModule {
    const imports: Array<Type | DynamicModule> = [
      HealthRegistryModule,
      PostgresModule,
      RedisModule,
    ];
    if (env.MONGODB_URI) imports.push(MongoModule.forRoot(env.MONGODB_URI));
    if (env.RABBITMQ_URL) imports.push(RabbitMqInfraModule.forRoot(env.RABBITMQ_URL));
    return { module: InfraModule, imports, exports: imports };
  }
}
