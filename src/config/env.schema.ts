import { z } from 'zod';
import { allowlistProblems } from '../common/egress/allowlist';
import { bool, csv, httpUrl, int, optionalString, urlWithProtocols } from './env-fields';

/**
 * The core configuration keys (server, stores, auth, limits, monitoring, egress), with their
 * defaults; the typed namespaces in `namespaces.ts` are built from them. Feature modules that own
 * keys contribute a fragment (the providers' `<SERVICE>_API_KEY`/`<SERVICE>_BASE_URL`, derived
 * from their service list) and the application root composes the schema validated at boot
 * (`composeEnvSchema`, in `src/app.env.ts`). `.env.example` mirrors the composed schema.
 */

const encryptionKey = optionalString.refine((v) => v === undefined || decodeKey(v) !== undefined, {
  message: 'must be 32 bytes as 64 hex characters or base64',
});

/** Older keys, comma-separated, still accepted for decryption while data is re-encrypted. */
const encryptionKeyList = csv.refine((keys) => keys.every((k) => decodeKey(k) !== undefined), {
  message: 'must be comma-separated keys of 32 bytes each (64 hex characters or base64)',
});

/** Decodes a 256-bit key given as hex or base64; undefined when it is not exactly 32 bytes. */
export function decodeKey(v: string): Buffer | undefined {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  return buf.length === 32 ? buf : undefined;
}

const coreEnvFields = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool(false),
  DATA_DIR: optionalString.transform((v) => v ?? './data'),
  BODY_LIMIT_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  CORS_ORIGINS: csv,
  SHUTDOWN_TIMEOUT_MS: int(10000, 0, 600000),
  /**
   * A whole request (headers and body) must arrive within this time, so a client dribbling
   * or stalling its body cannot hold a connection open; headers alone get at most 10 s.
   */
  REQUEST_TIMEOUT_MS: int(30000, 200, 600000),

  MONGODB_URI: urlWithProtocols(['mongodb:', 'mongodb+srv:']),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']),
  RABBITMQ_URL: urlWithProtocols(['amqp:', 'amqps:']),
  /**
   * Longest a query may take (PostgreSQL statement and read timeout, MongoDB socket timeout) and
   * longest a new connection may take to open: a silent database fails requests with 503 after
   * this instead of holding them for the whole partition.
   */
  DB_QUERY_TIMEOUT_MS: int(5000, 100, 600_000),
  /**
   * How long agents, tools and provider keys read on the hot path are reused without a store
   * lookup. Changes reach the caches at once through the config watcher; with the store down,
   * the last known value is served past this.
   */
  CONFIG_CACHE_TTL_MS: int(30_000, 0, 3_600_000),
  /** Names the jobs exchange and queues (`<prefix>.jobs.<type>`), so deployments can share a broker. */
  QUEUE_PREFIX: optionalString
    .refine((v) => v === undefined || /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(v), {
      message: 'must be 1-63 letters, digits, _ or - (starting with a letter or digit)',
    })
    .transform((v) => v ?? 'gateway'),
  /** Runs of a job before it is dead-lettered (the first run included). */
  QUEUE_MAX_ATTEMPTS: int(6, 1, 50),
  /** First retry delay; each later retry waits 4x longer (with jitter), capped at one hour. */
  QUEUE_RETRY_BASE_MS: int(2000, 1, 3_600_000),
  /** Jobs of one type run at once per instance (the consumer prefetch). */
  QUEUE_CONCURRENCY: int(4, 1, 256),
  /** How long enqueueing waits for the broker's confirm before answering 503. */
  QUEUE_PUBLISH_TIMEOUT_MS: int(5000, 50, 120_000),

  JWT_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters (HS256 needs a 256-bit secret)',
  }),
  JWT_PUBLIC_KEY: optionalString.refine((v) => v === undefined || v.includes('BEGIN PUBLIC KEY'), {
    message: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)',
  }),
  JWT_JWKS_URI: httpUrl,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  ENCRYPTION_KEY: encryptionKey,
  ENCRYPTION_KEY_PREVIOUS: encryptionKeyList,

  RATE_LIMIT_USER_PER_MINUTE: int(60, 0, 1_000_000),
  RATE_LIMIT_THREAD_PER_MINUTE: int(20, 0, 1_000_000),
  /** Tokens (input + output) an org may use per minute (estimates reserved, real usage settled); 0 = no token limit. */
  RATE_LIMIT_ORG_TOKENS_PER_MINUTE: int(0, 0, 1_000_000_000),
  /** When the rate-limit store (Redis) is unreachable: true = admit and count a warning, false = 503. A sent command left unanswered is always 503. */
  RATE_LIMIT_FAIL_OPEN: bool(true),
  CACHE_TTL_SECONDS: int(300, 0, 30 * 24 * 3600),
  /** Parameter policy: true = a parameter the model cannot take is a 400, not dropped and named in x-gateway-dropped-params. */
  STRICT_PARAMS: bool(false),

  ERROR_WEBHOOK_URL: httpUrl,
  /** HMAC key for the deployment's error webhook (`x-signature`); required with ERROR_WEBHOOK_URL. */
  ERROR_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  ATATUS_LICENSE_KEY: optionalString,
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  EGRESS_ALLOW_PRIVATE: bool(false),
  /** Entries that can never match (a URL, a bad port or CIDR) stop the boot, one line each. */
  EGRESS_ALLOWLIST: csv.superRefine((entries, ctx) => {
    for (const problem of allowlistProblems(entries)) {
      ctx.addIssue({ code: 'custom', message: `entry ${problem}, so it could never match` });
    }
  }),
};

/** Rules across core keys, checked on every composed schema. */
function coreRules(
  e: { ERROR_WEBHOOK_URL?: unknown; ERROR_WEBHOOK_SECRET?: unknown },
  ctx: z.RefinementCtx,
): void {
  // Error events are always signed: a receiver must be able to tell them from forgeries.
  if (e.ERROR_WEBHOOK_URL !== undefined && e.ERROR_WEBHOOK_SECRET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ERROR_WEBHOOK_SECRET'],
      message: 'is required when ERROR_WEBHOOK_URL is set (it signs the error events)',
    });
  }
}

/**
 * The core keys plus a feature module's fragment, validated together so a bad environment is
 * reported in one go. A fragment may not redefine a core key.
 */
export function composeEnvSchema<F extends z.ZodRawShape>(fragment: F) {
  const clash = Object.keys(fragment).filter((k) => Object.hasOwn(coreEnvFields, k));
  if (clash.length) throw new Error(`config fragment redefines core keys: ${clash.join(', ')}`);
  return z.object({ ...coreEnvFields, ...fragment }).superRefine(coreRules);
}

/** The core keys alone (what `infra`, `config` and the core namespaces read). */
export const envSchema = composeEnvSchema({});

export type Env = z.infer<typeof envSchema>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates `raw` against `schema`; throws one line per problem, each naming its key. */
export function parseEnvWith<S extends z.ZodType>(
  schema: S,
  raw: NodeJS.ProcessEnv | Record<string, unknown>,
): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const got = (raw as Record<string, unknown>)[key];
    const message =
      issue.code === 'invalid_value' && typeof got === 'string'
        ? `${issue.message}, got "${got}"`
        : issue.message;
    return `${key}: ${message}`;
  });
  throw new ConfigValidationError(problems);
}

/** Validates the core keys; throws one line per problem, each naming its key. */
export function parseEnv(raw: NodeJS.ProcessEnv | Record<string, unknown>): Env {
  return parseEnvWith(envSchema, raw);
}
