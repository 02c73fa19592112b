import type { Principal } from '../../../common/auth/principal';
import { isDeploymentScope } from '../../../common/auth/scopes';
import { AppException, ErrorCode } from '../../../common/errors';

/**
 * Who may put which scopes on an API key. A key is made through the org's own API, so:
 * - it never carries a deployment-wide scope (`deployment:*`), whoever asks: those come only
 *   from the deployment's own credentials (400, the request can never succeed);
 * - it carries only scopes its creator holds (403 naming the missing ones), so no admin can
 *   mint a key stronger than itself, and a key can only create keys within its own grant.
 * The same rule covers edits: a key's grant after a PATCH must be one the caller could have
 * made, so extending the life or the limit of a stronger key is refused too. Revoking and
 * deleting need no such check — taking a grant away is always allowed.
 */
export function assertGrantable(caller: Principal, scopes: readonly string[]): void {
  const deployment = scopes.filter(isDeploymentScope);
  if (deployment.length > 0) {
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `Deployment-wide scopes cannot be given to an API key: ${deployment.join(', ')}. They come ` +
        "only from a token signed by the deployment's keys",
      { param: 'scopes', details: { scopes: deployment } },
    );
  }
  const held = new Set(caller.scopes);
  const missing = scopes.filter((s) => !held.has(s));
  if (missing.length > 0) {
    throw new AppException(
      ErrorCode.FORBIDDEN,
      `An API key can only carry scopes its creator holds; you do not hold: ${missing.join(', ')}`,
      { details: { scopes: missing } },
    );
  }
}

/**
 * The scopes a stored key grants: a deployment-wide scope on a stored key (a row written
 * before keys were checked, or by hand) is ignored, never honoured.
 */
export function grantedScopes(stored: readonly string[]): string[] {
  return stored.filter((s) => !isDeploymentScope(s));
}

/** A key acts as the user who makes it; naming someone else would act (and audit) as them. */
export function assertOwnUserId(caller: Principal, userId: string | undefined): void {
  if (userId !== undefined && userId !== caller.userId) {
    throw new AppException(
      ErrorCode.FORBIDDEN,
      'user_id must be your own user id: an API key acts as the user who creates it',
      { param: 'user_id' },
    );
  }
}
