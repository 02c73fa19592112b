import type { Principal } from '../../../common/auth/principal';
import { AppException, ErrorCode } from '../../../common/errors';
import { assertGrantable, assertOwnUserId, grantedScopes } from './scope-grant';

const caller = (scopes: string[]): Principal => ({
  userId: 'alice',
  orgId: 'org-1',
  scopes,
  via: 'jwt',
});

const codeOf = (fn: () => void): ErrorCode | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as AppException).code;
  }
};

describe('scope grants', () => {
  it('allows only scopes the caller holds', () => {
    expect(
      codeOf(() => assertGrantable(caller(['admin', 'reports']), ['reports'])),
    ).toBeUndefined();
    expect(codeOf(() => assertGrantable(caller(['admin']), []))).toBeUndefined();
    expect(codeOf(() => assertGrantable(caller(['admin']), ['admin', 'billing']))).toBe(
      ErrorCode.FORBIDDEN,
    );
  });

  it('never allows a deployment-wide scope, even to a deployment admin', () => {
    const operator = caller(['admin', 'deployment:admin']);
    expect(codeOf(() => assertGrantable(operator, ['deployment:admin']))).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
    expect(codeOf(() => assertGrantable(operator, ['deployment:x']))).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
  });

  it('ignores deployment-wide scopes on a stored key', () => {
    expect(grantedScopes(['admin', 'deployment:admin', 'deployment:billing', 'x'])).toEqual([
      'admin',
      'x',
    ]);
  });

  it('accepts only the caller as the user a key acts as', () => {
    expect(codeOf(() => assertOwnUserId(caller([]), undefined))).toBeUndefined();
    expect(codeOf(() => assertOwnUserId(caller([]), 'alice'))).toBeUndefined();
    expect(codeOf(() => assertOwnUserId(caller([]), 'bob'))).toBe(ErrorCode.FORBIDDEN);
  });
});
