import { z } from 'zod';

/**
 * Every configuration key the gateway reads, with its default. This is the single source of
 * truth: `.env.example` mirrors it and the typed namespaces in `namespaces.ts` are built from it.
 */

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : ['true', '1', 'yes'].includes(v)));

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be an integer between ${min} and ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const urlWithProtocols = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const httpUrl = urlWithProtocols(['http:', 'https:']);

const csv = optionalString.transform((v) =>
  v === undefined
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
);

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

const envFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: optionalString.transform((v) => v ?? '0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool(false),
  DATA_DIR: optionalString.transform((v) => v ?? './data'),
  BODY_LIMIT_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  CORS_ORIGINS: csv,
  SHUTDOWN_TIMEOUT_MS: int(10000, 0, 600000),

  MONGODB_URI: urlWithProtocols(['mongodb:', 'mongodb+srv:']),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']),
  RABBITMQ_URL: urlWithProtocols(['amqp:', 'amqps:']),
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

  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: httpUrl,
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: httpUrl,
  GROQ_API_KEY: optionalString,
  GROQ_BASE_URL: httpUrl,
  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: httpUrl,
  MISTRAL_API_KEY: optionalString,
  MISTRAL_BASE_URL: httpUrl,
  OPENROUTER_API_KEY: optionalString,
  OPENROUTER_BASE_URL: httpUrl,
  PROVIDER_TIMEOUT_MS: int(60000, 100, 600000),
  PROVIDER_MAX_RETRIES: int(2, 0, 10),

  RATE_LIMIT_USER_PER_MINUTE: int(60, 0, 1_000_000),
  RATE_LIMIT_THREAD_PER_MINUTE: int(20, 0, 1_000_000),
  /** Tokens (input + output) an org may use per minute (estimates reserved, real usage settled); 0 = no token limit. */
  RATE_LIMIT_ORG_TOKENS_PER_MINUTE: int(0, 0, 1_000_000_000),
  /** When the rate-limit store (Redis) is unreachable: true = admit and count a warning, false = 503. A sent command left unanswered is always 503. */
  RATE_LIMIT_FAIL_OPEN: bool(true),
  CACHE_TTL_SECONDS: int(300, 0, 30 * 24 * 3600),

  ERROR_WEBHOOK_URL: httpUrl,
  /** HMAC key for the deployment's error webhook (`x-signature`); required with ERROR_WEBHOOK_URL. */
  ERROR_WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  ATATUS_LICENSE_KEY: optionalString,
  EGRESS_ALLOW_PRIVATE: bool(false),
  EGRESS_ALLOWLIST: csv,
});

export const envSchema = envFields.superRefine((e, ctx) => {
  // Error events are always signed: a receiver must be able to tell them from forgeries.
  if (e.ERROR_WEBHOOK_URL !== undefined && e.ERROR_WEBHOOK_SECRET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ERROR_WEBHOOK_SECRET'],
      message: 'is required when ERROR_WEBHOOK_URL is set (it signs the error events)',
    });
  }
});

export type Env = z.infer<typeof envSchema>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Validates the environment; throws one line per problem, each naming its key. */
export function parseEnv(raw: NodeJS.ProcessEnv | Record<string, unknown>): Env {
  const result = envSchema.safeParse(raw);
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
