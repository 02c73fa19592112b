import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { HealthRegistry } from '../health/health-registry';

/** Registers the MongoDB connection's readiness check. */
class MongoHealth {
  constructor(connection: Connection, health: HealthRegistry) {
    health.register({
      name: 'mongodb',
      required: true,
      check: async () => {
        if (!connection.db) throw new Error('mongodb is not connected');
        await connection.db.admin().ping();
      },
    });
  }
}

/** The document store on MongoDB (mongoose), used when MONGODB_URI is set. */
@Module({})
export class MongoModule {
  static forRoot(uri: string): DynamicModule {
    return {
      module: MongoModule,
      global: true,
      imports: [
        MongooseModule.forRoot(uri, {
          serverSelectionTimeoutMS: 5000,
          autoIndex: true,
          // Fail fast instead of buffering commands forever while disconnected.
          bufferCommands: false,
        }),
      ],
      providers: [
        {
          provide: MongoHealth,
          inject: [getConnectionToken(), HealthRegistry],
          useFactory: (c: Connection, h: HealthRegistry) => new MongoHealth(c, h),
        },
      ],
      exports: [MongooseModule],
    };
  }
}
