import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import {
  RateLimitStore,
  windowRecord,
  type ReserveReply,
  type ThrottlerStorageRecord,
} from './rate-limit.store';
import { StoreUnreachableError } from './store-errors';

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

/** Adds ARGV[1] only while the counter is below ARGV[2]. Returns {granted 0/1, value, ms left}. */
const RESERVE_SCRIPT = `
local value = tonumber(redis.call('GET', KEYS[1]) or '0')
if value >= tonumber(ARGV[2]) then
  return {0, value, redis.call('PTTL', KEYS[1])}
end
value = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  ttl = tonumber(ARGV[3])
end
return {1, value, ttl}
`;

/** Adds ARGV[1] (may be negative) to a live counter, floored at 0; -1 when the key is gone. */
const ADJUST_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value < 0 then
  redis.call('INCRBY', KEYS[1], -value)
  value = 0
end
return value
`;

interface Script {
  source: string;
  sha: string;
}
const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});
const ADD = script(ADD_SCRIPT);
const RESERVE = script(RESERVE_SCRIPT);
const ADJUST = script(ADJUST_SCRIPT);

/**
 * Counters in Redis, shared by every gateway instance. Each operation is one EVALSHA of a script
 * above — never a read followed by a write — so counts are exact under any concurrency. Falls
 * back to EVAL when the server does not have the script cached yet (NOSCRIPT).
 *
 * A command is only sent on a ready connection; otherwise (down, reconnecting) it fails with
 * StoreUnreachableError before anything is sent, which is what lets the fail-open policy admit
 * without ever admitting a request Redis counted.
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
    const [hits, msLeft] = await this.run(ADD, key, 1, Math.trunc(ttl));
    return windowRecord(hits, limit, msLeft);
  }

  async reserve(key: string, amount: number, limit: number, ttlMs: number): Promise<ReserveReply> {
    const [granted, value, msLeft] = await this.run(
      RESERVE,
      key,
      Math.trunc(amount),
      Math.trunc(limit),
      Math.trunc(ttlMs),
    );
    return { granted: granted === 1, value, msLeft: Math.max(0, msLeft) };
  }

  async adjust(key: string, delta: number): Promise<number | undefined> {
    const [value] = await this.run(ADJUST, key, Math.trunc(delta));
    return value < 0 ? undefined : value;
  }

  async addTo(key: string, amount: number, ttlMs: number): Promise<number> {
    const [value] = await this.run(ADD, key, Math.trunc(amount), Math.trunc(ttlMs));
    return value;
  }

  private async run(s: Script, key: string, ...args: number[]): Promise<number[]> {
    if (this.redis.status !== 'ready')
      throw new StoreUnreachableError(`redis is ${this.redis.status}`);
    const argv = [1, this.prefix + key, ...args] as const;
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(s.sha, ...argv);
    } catch (e) {
      if (isNotSent(e)) throw new StoreUnreachableError(e.message);
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      reply = await this.redis.eval(s.source, ...argv);
    }
    const values = Array.isArray(reply) ? reply : [reply];
    if (values.length === 0 || values.some((v) => typeof v !== 'number')) {
      throw new Error('Unexpected reply from a rate-limit script');
    }
    return values as number[];
  }
}

/**
 * ioredis refuses to write when the stream is not writable and the offline queue is off (the
 * shared client's setting): the command never left this process. Other errors — notably
 * "Connection is closed" and MaxRetriesPerRequestError, which also reject commands already
 * written when a connection drops — may follow a command Redis executed.
 */
function isNotSent(e: unknown): e is Error {
  return e instanceof Error && e.message.startsWith("Stream isn't writeable");
}
