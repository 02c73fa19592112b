import { DynamicModule, Module, type OnModuleDestroy } from '@nestjs/common';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { HealthRegistry } from '../health/health-registry';
import { watchStuckMongoWrites } from './mongo-stuck-write-watchdog';
import { logMongoTopology } from './mongo-topology-log';

/**
 * Registers the MongoDB connection's readiness check, logs the server's reachability, and frees
 * a driver monitor that hangs after a dropped connection (mongo-stuck-write-watchdog.ts).
 */
class MongoHealth implements OnModuleDestroy {
  private readonly stopWatchdog: () => void;

  constructor(connection: Connection, health: HealthRegistry) {
    logMongoTopology(connection);
    this.stopWatchdog = watchStuckMongoWrites(connection.getClient());
    health.register({
      name: 'mongodb',
      required: true,
      check: async () => {
        if (!connection.db) throw new Error('mongodb is not connected');
        await connection.db.admin().ping();
      },
    });
  }

  onModuleDestroy(): void {
    this.stopWatchdog();
  }
}

/**
 * The document store on MongoDB (mongoose), used when MONGODB_URI is set. Every operation is
 * bounded by `timeoutMs` (DB_QUERY_TIMEOUT_MS): finding a server, opening a connection, and a
 * socket silent for longer (a blackholed server) all fail it, which the filter answers with 503.
 */
@Module({})
export class MongoModule {
  static forRoot(uri: string, timeoutMs = 5000): DynamicModule {
    return {
      module: MongoModule,
      global: true,
      imports: [
        MongooseModule.forRoot(uri, {
          serverSelectionTimeoutMS: timeoutMs,
          connectTimeoutMS: timeoutMs,
          // Waiting for a pooled connection (e.g. while the pool reconnects) is bounded too.
          waitQueueTimeoutMS: timeoutMs,
          // A second more than the operation deadline: the server's own errors win while it is
          // alive; a silent socket is closed (and its pool cleared) after this.
          socketTimeoutMS: timeoutMs + 1000,
          // No automatic retry inside the driver: after a socket timeout it would wait for a
          // server again, doubling the time a request is held by a silent database. The
          // gateway retries at its own layers (post-answer spools, job retries, the client's
          // Retry-After). FerretDB has no retryable writes anyway.
          retryReads: false,
          retryWrites: false,
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
