import type { z } from 'zod';
import { composeEnvSchema, parseEnvWith } from './config';
import { providersEnvFields } from './modules/providers';
import { tracingEnvFields } from './modules/tracing';

/**
 * The environment the gateway validates at boot: the core keys plus the keys feature modules
 * own (the providers' `<SERVICE>_API_KEY`/`<SERVICE>_BASE_URL`, derived from their service list;
 * tracing's standard `OTEL_*` keys).
 * Composed here, at the application root, so `config` never imports a feature module; validated
 * as one schema, so a bad environment is reported in one go, one line per problem.
 */
export const appEnvSchema = composeEnvSchema({ ...providersEnvFields, ...tracingEnvFields });

export type AppEnv = z.infer<typeof appEnvSchema>;

/** Throws ConfigValidationError, one line per problem, each naming its key. */
export function parseAppEnv(raw: NodeJS.ProcessEnv | Record<string, unknown>): AppEnv {
  return parseEnvWith(appEnvSchema, raw);
}
