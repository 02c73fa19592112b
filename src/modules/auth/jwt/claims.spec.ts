import { AppException, ErrorCode } from '../../../common/errors';
import { principalFromClaims } from './claims';

const NOW = 1_800_000_000;
const base = { sub: 'u', org_id: 'o', exp: NOW + 300, scopes: ['admin'] };

const refusal = (claims: object): string | undefined => {
  try {
    principalFromClaims(claims, 30, NOW);
    return undefined;
  } catch (e) {
    expect((e as AppException).code).toBe(ErrorCode.UNAUTHENTICATED);
    return (e as AppException).message;
  }
};

describe('principalFromClaims', () => {
  it('maps sub, org_id and scopes', () => {
    expect(principalFromClaims(base, 30, NOW)).toEqual({
      userId: 'u',
      orgId: 'o',
      scopes: ['admin'],
      via: 'jwt',
    });
  });

  it('refuses iat beyond the clock tolerance and accepts it within', () => {
    expect(refusal({ ...base, iat: NOW + 31 })).toMatch(/iat/);
    expect(refusal({ ...base, iat: NOW + 86_400 * 365 })).toMatch(/future/);
    expect(refusal({ ...base, iat: NOW + 30 })).toBeUndefined();
    expect(refusal({ ...base, iat: NOW - 3600 })).toBeUndefined();
    expect(refusal({ ...base, iat: 'yesterday' })).toMatch(/iat/);
  });

  it('still requires exp, sub and org_id', () => {
    const { exp: _exp, ...noExp } = base;
    expect(refusal(noExp)).toMatch(/exp/);
    expect(refusal({ ...base, sub: '' })).toMatch(/sub/);
    expect(refusal({ ...base, org_id: 7 })).toMatch(/org_id/);
  });
});
