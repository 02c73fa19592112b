import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { RateLimitStore, windowRecord, type ThrottlerStorageRecord } from './rate-limit.store';

/**
 * Adds to a counter and makes sure it expires, in one atomic step: a key that somehow lost its
 * expiry (PTTL < 0) gets it back instead of counting forever. Returns {value, ms left}.
 */
const ADD_SCRIPT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {value, ttl}
`;
const ADD_SHA = createHash('sha1').update(ADD_SCRIPT).digest('hex');

/**
 * Counters in Redis, shared by every gateway instance. Each hit is one EVALSHA of the script
 * above — never a read followed by a write — so the count is exact under any concurrency.
 * Falls back to EVAL when the server does not have the script cached yet (NOSCRIPT).
 */
export class RedisRateLimitStore extends RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'aimw:',
  ) {
    super();
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration?: number,
    _throttlerName?: string,
  ): Promise<ThrottlerStorageRecord> {
    const [hits, msLeft] = await this.add(key, 1, ttl);
    return windowRecord(hits, limit, msLeft);
  }

  async addTo(key: string, amount: number, ttlMs: number): Promise<number> {
    const [value] = await this.add(key, amount, ttlMs);
    return value;
  }

  async read(key: string): Promise<number> {
    const value = await this.redis.get(this.prefix + key);
    return value === null ? 0 : Number(value);
  }

  private async add(key: string, amount: number, ttlMs: number): Promise<[number, number]> {
    const args = [1, this.prefix + key, Math.trunc(amount), Math.trunc(ttlMs)] as const;
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(ADD_SHA, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      reply = await this.redis.eval(ADD_SCRIPT, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new Error('Unexpected reply from the rate-limit script');
    }
    return [Number(reply[0]), Number(reply[1])];
  }
}
