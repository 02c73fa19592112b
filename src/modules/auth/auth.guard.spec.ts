import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import * as jwt from 'jsonwebtoken';
import { AppException, ErrorCode } from '../../common/errors';
import { IS_PUBLIC_KEY, SCOPES_KEY } from '../../common/decorators';
import { AuthGuard } from './auth.guard';
import { JwtVerifier } from './jwt-verifier.service';

const SECRET = 'unit-test-secret-that-is-32-chars-long!!';

function contextFor(headers: Record<string, string>, meta: Record<string, unknown> = {}) {
  const req: { headers: Record<string, string>; principal?: unknown } = { headers };
  const handler = () => undefined;
  for (const [k, v] of Object.entries(meta)) Reflect.defineMetadata(k, v, handler);
  const ctx = {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

function guard(cfg: Partial<ConstructorParameters<typeof JwtVerifier>[0]> = {}) {
  const verifier = new JwtVerifier({ jwtSecret: SECRET, ...cfg } as ConstructorParameters<
    typeof JwtVerifier
  >[0]);
  return new AuthGuard(new Reflector(), verifier);
}

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppException ? e.code : undefined;
  }
  return undefined;
}

describe('AuthGuard', () => {
  const token = (claims: object, opts: jwt.SignOptions = {}) =>
    jwt.sign({ sub: 'u1', org_id: 'o1', ...claims }, SECRET, {
      algorithm: 'HS256',
      expiresIn: 60,
      ...opts,
    });

  it('lets @Public routes through without credentials', () => {
    const { ctx } = contextFor({}, { [IS_PUBLIC_KEY]: true });
    expect(guard().canActivate(ctx)).toBe(true);
  });

  it('denies by default', () => {
    expect(codeOf(() => guard().canActivate(contextFor({}).ctx))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('sets the principal from a valid HS256 token', () => {
    const { ctx, req } = contextFor({ authorization: `Bearer ${token({ scopes: ['admin'] })}` });
    expect(guard().canActivate(ctx)).toBe(true);
    expect(req.principal).toEqual({ userId: 'u1', orgId: 'o1', scopes: ['admin'], via: 'jwt' });
  });

  it('accepts the token in x-api-key too', () => {
    const { ctx } = contextFor({ 'x-api-key': token({}) });
    expect(guard().canActivate(ctx)).toBe(true);
  });

  it('refuses a token without org_id', () => {
    const { ctx } = contextFor({ authorization: `Bearer ${jwt.sign({ sub: 'u' }, SECRET)}` });
    expect(codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('checks issuer and audience when configured', () => {
    const g = guard({ jwtIssuer: 'https://issuer', jwtAudience: 'gateway' });
    const wrongAud = contextFor({
      authorization: `Bearer ${token({}, { issuer: 'https://issuer', audience: 'other' })}`,
    });
    expect(codeOf(() => g.canActivate(wrongAud.ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    const right = contextFor({
      authorization: `Bearer ${token({}, { issuer: 'https://issuer', audience: 'gateway' })}`,
    });
    expect(g.canActivate(right.ctx)).toBe(true);
  });

  it('answers 403 when a required scope is missing', () => {
    const { ctx } = contextFor(
      { authorization: `Bearer ${token({ scopes: ['read'] })}` },
      { [SCOPES_KEY]: ['admin'] },
    );
    expect(codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.FORBIDDEN);
  });

  it('refuses HS256 tokens when only a public key is configured (no alg confusion)', () => {
    const g = guard({
      jwtSecret: undefined,
      jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----',
    });
    const { ctx } = contextFor({ authorization: `Bearer ${token({})}` });
    expect(codeOf(() => g.canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});
