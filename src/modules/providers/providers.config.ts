import { z } from 'zod';
import { envNamespace, httpUrl, int, optionalString } from '../../config';
import { deploymentKeysField, type DeploymentKey } from './balancing/deployment-keys';
import { SERVICES, type ServiceName } from './provider.types';

/** `openai-compatible` -> `OPENAI_COMPATIBLE`, at the type level too. */
type EnvPrefix<S extends string> = S extends `${infer A}-${infer B}`
  ? `${Uppercase<A>}_${EnvPrefix<B>}`
  : Uppercase<S>;
type ApiKeyKey = `${EnvPrefix<ServiceName>}_API_KEY`;
type BaseUrlKey = `${EnvPrefix<ServiceName>}_BASE_URL`;
type ApiKeysKey = `${EnvPrefix<ServiceName>}_API_KEYS`;

/**
 * The configuration keys of one service: `<SERVICE>_API_KEY`, `<SERVICE>_BASE_URL` and
 * `<SERVICE>_API_KEYS` (a weighted pool of keys or deployments, see balancing/deployment-keys.ts).
 */
export function serviceEnvKeys(service: ServiceName): {
  apiKey: ApiKeyKey;
  baseUrl: BaseUrlKey;
  apiKeys: ApiKeysKey;
} {
  const prefix = service.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return {
    apiKey: `${prefix}_API_KEY` as ApiKeyKey,
    baseUrl: `${prefix}_BASE_URL` as BaseUrlKey,
    apiKeys: `${prefix}_API_KEYS` as ApiKeysKey,
  };
}

const serviceFields = Object.fromEntries(
  SERVICES.flatMap((s) => {
    const keys = serviceEnvKeys(s);
    return [
      [keys.apiKey, optionalString],
      [keys.baseUrl, httpUrl],
      [keys.apiKeys, deploymentKeysField],
    ];
  }),
) as Record<ApiKeyKey, typeof optionalString> &
  Record<BaseUrlKey, typeof httpUrl> &
  Record<ApiKeysKey, typeof deploymentKeysField>;

/**
 * The providers' configuration keys: two per service in the service list, plus the resilience
 * knobs. The application root composes them with the core keys (`src/app.env.ts`), so a bad value
 * stops the boot with the other problems, one line each.
 */
export const providersEnvFields = {
  ...serviceFields,
  PROVIDER_TIMEOUT_MS: int(60000, 100, 600000),
  PROVIDER_MAX_RETRIES: int(2, 0, 10),
  /** Circuit breakers: the sliding window, the volume below which they never open, the failure share that opens them. */
  PROVIDER_BREAKER_WINDOW_MS: int(30_000, 1000, 3_600_000),
  PROVIDER_BREAKER_MIN_CALLS: int(20, 1, 1_000_000),
  PROVIDER_BREAKER_FAILURE_PERCENT: int(50, 1, 100),
  /** Orgs that must have failed before a key shared by several orgs opens for all of them. */
  PROVIDER_BREAKER_MIN_TENANTS: int(3, 1, 10_000),
  PROVIDER_BREAKER_COOLDOWN_MS: int(30_000, 100, 3_600_000),
  /** A key of a pool that fails (401/403, 429, 5xx, connection) sits out this long, doubling per failure. */
  PROVIDER_KEY_COOLDOWN_MS: int(1_000, 1, 3_600_000),
  /** The longest a failing key sits out by backoff (a provider's Retry-After is honoured up to an hour). */
  PROVIDER_KEY_COOLDOWN_MAX_MS: int(60_000, 1, 86_400_000),
};

/** The providers' keys as validated (the composed app env carries them). */
export type ProvidersEnv = z.infer<z.ZodObject<typeof providersEnvFields>>;

export interface ServiceEndpoint {
  apiKey?: string;
  baseUrl?: string;
  /** `<SERVICE>_API_KEYS`, plus `<SERVICE>_API_KEY` (weight 1) when both are set; else empty. */
  pool?: DeploymentKey[];
}

/**
 * The providers module's settings, from the validated environment given to the app. Provided by
 * ProvidersModule (`provideNamespace`); inject with `@Inject(providersConfig.KEY)`.
 */
export const providersConfig = envNamespace('providers', (e: ProvidersEnv) => {
  const services = {} as Record<ServiceName, ServiceEndpoint>;
  for (const s of SERVICES) {
    const keys = serviceEnvKeys(s);
    const apiKey = e[keys.apiKey];
    const listed = e[keys.apiKeys];
    const pool =
      listed.length === 0
        ? []
        : apiKey === undefined
          ? listed
          : [{ apiKey, weight: 1, name: 'api_key' }, ...listed];
    services[s] = { apiKey, baseUrl: e[keys.baseUrl], pool };
  }
  return {
    services,
    timeoutMs: e.PROVIDER_TIMEOUT_MS,
    maxRetries: e.PROVIDER_MAX_RETRIES,
    breaker: {
      windowMs: e.PROVIDER_BREAKER_WINDOW_MS,
      minCalls: e.PROVIDER_BREAKER_MIN_CALLS,
      failureRate: e.PROVIDER_BREAKER_FAILURE_PERCENT / 100,
      minTenants: e.PROVIDER_BREAKER_MIN_TENANTS,
      cooldownMs: e.PROVIDER_BREAKER_COOLDOWN_MS,
    },
    keyCooldownMs: e.PROVIDER_KEY_COOLDOWN_MS,
    keyCooldownMaxMs: Math.max(e.PROVIDER_KEY_COOLDOWN_MAX_MS, e.PROVIDER_KEY_COOLDOWN_MS),
  };
});
