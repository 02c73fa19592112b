import * as path from 'node:path';
import { type EnvNamespace, envNamespace } from './env-namespace';
import { decodeKey, type Env } from './env.schema';

/**
 * Typed configuration namespaces. Each one is a slice of the validated environment given to
 * `AppModule.forRoot` (never `process.env`: tests boot several apps with different environments
 * in one process); inject one with `@Inject(appConfig.KEY) cfg: ConfigType<typeof appConfig>`.
 * Feature modules that own keys provide their own namespace (`providersConfig` in providers,
 * `queueConfig` in queue) with `provideNamespace`.
 */

export const appConfig = envNamespace('app', (e: Env) => {
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_PRETTY,
    dataDir: path.resolve(e.DATA_DIR),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    corsOrigins: e.CORS_ORIGINS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
  };
});

export const storesConfig = envNamespace('stores', (e: Env) => {
  return {
    mongodbUri: e.MONGODB_URI,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    rabbitmqUrl: e.RABBITMQ_URL,
    queryTimeoutMs: e.DB_QUERY_TIMEOUT_MS,
    configCacheTtlMs: e.CONFIG_CACHE_TTL_MS,
    /** Embedded PGlite serves the SQL store when no DATABASE_URL is given. */
    embeddedPostgres: e.DATABASE_URL === undefined,
    /** Documents live in MongoDB when configured, otherwise in the SQL store. */
    documentStore: e.MONGODB_URI ? ('mongo' as const) : ('postgres' as const),
  };
});

export const authConfig = envNamespace('auth', (e: Env) => {
  return {
    jwtSecret: e.JWT_SECRET,
    jwtPublicKey: e.JWT_PUBLIC_KEY,
    jwtJwksUri: e.JWT_JWKS_URI,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    encryptionKey: e.ENCRYPTION_KEY ? decodeKey(e.ENCRYPTION_KEY) : undefined,
    encryptionKeyPrevious: e.ENCRYPTION_KEY_PREVIOUS.map((k) => decodeKey(k)!),
  };
});

export const limitsConfig = envNamespace('limits', (e: Env) => {
  return {
    userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
    threadPerMinute: e.RATE_LIMIT_THREAD_PER_MINUTE,
    orgTokensPerMinute: e.RATE_LIMIT_ORG_TOKENS_PER_MINUTE,
    failOpen: e.RATE_LIMIT_FAIL_OPEN,
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    strictParams: e.STRICT_PARAMS,
  };
});

export const monitoringConfig = envNamespace('monitoring', (e: Env) => {
  return {
    errorWebhookUrl: e.ERROR_WEBHOOK_URL,
    errorWebhookSecret: e.ERROR_WEBHOOK_SECRET,
    atatusLicenseKey: e.ATATUS_LICENSE_KEY,
    metricsToken: e.METRICS_TOKEN,
  };
});

export const egressConfig = envNamespace('egress', (e: Env) => {
  return { allowPrivate: e.EGRESS_ALLOW_PRIVATE, allowlist: e.EGRESS_ALLOWLIST };
});

export const allConfigNamespaces: ReadonlyArray<EnvNamespace<Env, unknown>> = [
  appConfig,
  storesConfig,
  authConfig,
  limitsConfig,
  monitoringConfig,
  egressConfig,
];
