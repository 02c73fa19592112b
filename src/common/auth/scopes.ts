/** An org's administrator: manages the org's agents, tools, keys and settings. */
export const ADMIN_SCOPE = 'admin';

/**
 * Scopes that act on the whole deployment rather than one org (e.g. the shared model catalog
 * every org is billed by). Only the deployment's own credentials carry them — a JWT signed by
 * the deployment's keys (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URI) — never a key an org made
 * through its own API.
 */
export const DEPLOYMENT_SCOPE_PREFIX = 'deployment:';
export const DEPLOYMENT_ADMIN_SCOPE = `${DEPLOYMENT_SCOPE_PREFIX}admin`;

export function isDeploymentScope(scope: string): boolean {
  return scope.startsWith(DEPLOYMENT_SCOPE_PREFIX);
}
