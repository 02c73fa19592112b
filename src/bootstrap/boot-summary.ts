import * as path from 'node:path';
import type { AppEnv } from '../app.env';

/**
 * The one line `npm start` prints at info once the gateway listens: where it is, which stores it
 * uses (each embedded default named as such) and where the docs are. No credentials: store URLs
 * are reduced to their kind.
 */
export function bootSummary(env: AppEnv, url: string): string {
  const sql = env.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${path.resolve(env.DATA_DIR)}`;
  const documents = env.MONGODB_URI ? 'MongoDB' : 'the SQL store';
  const cache = env.REDIS_URL ? 'Redis' : 'in-memory';
  const queue = env.RABBITMQ_URL ? 'RabbitMQ' : 'in-process';
  return (
    `AI Middleware listening on ${url} — stores: SQL ${sql}, documents in ${documents}, ` +
    `cache and rate limits ${cache}, queue ${queue} — docs at ${url}/docs`
  );
}
