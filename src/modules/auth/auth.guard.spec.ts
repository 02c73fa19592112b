import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import * as jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import { IS_PUBLIC_KEY, SCOPES_KEY } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import { ApiKeyAuthenticator } from './api-keys/api-key-authenticator.service';
import { generateApiKeySecret } from './api-keys/api-key-secret';
import type { ApiKey } from './api-keys/api-key.types';
import { AuthGuard } from './auth.guard';
import { JwtKeys, type JwtConfig } from './jwt/jwt-keys';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { AppPassport } from './strategies/app-passport';
import { JwtStrategy } from './strategies/jwt.strategy';

const SECRET = 'unit-test-secret-that-is-32-chars-long!!';

interface FakeRequest {
  headers: Record<string, string>;
  principal?: unknown;
  apiKey?: unknown;
}

/** A fake ExecutionContext over a plain request, with route metadata on its handler. */
function contextFor(headers: Record<string, string>, meta: Record<string, unknown> = {}) {
  const req: FakeRequest = { headers };
  const handler = () => undefined;
  for (const [k, v] of Object.entries(meta)) Reflect.defineMetadata(k, v, handler);
  const ctx = {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}) }),
  } as unknown as ExecutionContext;
  return { ctx, req };
}

/** A stand-in for the key store: the authenticator's collaborators are faked, not the guard's. */
class FakeApiKeys {
  readonly keys = new Map<string, ApiKey>();

  add(overrides: Partial<ApiKey> = {}): string {
    const { secret, hash, prefix } = generateApiKeySecret();
    const now = new Date();
    this.keys.set(secret, {
      id: `key_${this.keys.size}abcdefgh`,
      org_id: 'org-k',
      name: 'k',
      user_id: 'owner',
      prefix,
      key_hash: hash,
      scopes: [],
      rate_limit: null,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
      created_by: 'owner',
      created_at: now,
      updated_at: now,
      ...overrides,
    });
    return secret;
  }

  async authenticate(secret: string): Promise<ApiKey> {
    const key = this.keys.get(secret);
    if (!key) throw new AppException(ErrorCode.UNAUTHENTICATED, 'Invalid API key');
    return key;
  }
}

/** The guard over a passport of its own with the two built-in strategies. */
function guard(
  cfg: Partial<JwtConfig> = {},
  apiKeys = new FakeApiKeys(),
  passport = new AppPassport(),
) {
  passport.register(new ApiKeyStrategy(apiKeys as unknown as ApiKeyAuthenticator));
  passport.register(new JwtStrategy(new JwtKeys({ jwtSecret: SECRET, ...cfg } as JwtConfig)));
  return new AuthGuard(new Reflector(), passport);
}

async function codeOf(run: () => Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await run();
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

  it('lets @Public routes through without credentials', async () => {
    const { ctx } = contextFor({}, { [IS_PUBLIC_KEY]: true });
    await expect(guard().canActivate(ctx)).resolves.toBe(true);
  });

  it('denies by default, with a Bearer challenge', async () => {
    const err = await guard()
      .canActivate(contextFor({}).ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect((err as AppException).headers?.['www-authenticate']).toMatch(/^Bearer/);
  });

  it('sets the principal from a valid HS256 token', async () => {
    const { ctx, req } = contextFor({ authorization: `Bearer ${token({ scopes: ['admin'] })}` });
    await expect(guard().canActivate(ctx)).resolves.toBe(true);
    expect(req.principal).toEqual({ userId: 'u1', orgId: 'o1', scopes: ['admin'], via: 'jwt' });
  });

  it('reads scopes given as a space-separated string or OAuth "scope"', async () => {
    const a = contextFor({ authorization: `Bearer ${token({ scopes: 'admin read' })}` });
    await guard().canActivate(a.ctx);
    expect(a.req.principal).toMatchObject({ scopes: ['admin', 'read'] });
    const b = contextFor({ authorization: `Bearer ${token({ scope: 'x y' })}` });
    await guard().canActivate(b.ctx);
    expect(b.req.principal).toMatchObject({ scopes: ['x', 'y'] });
  });

  it('accepts the token in x-api-key too', async () => {
    const { ctx } = contextFor({ 'x-api-key': token({}) });
    await expect(guard().canActivate(ctx)).resolves.toBe(true);
  });

  it('refuses a token without org_id, sub or exp', async () => {
    for (const bad of [
      jwt.sign({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET),
      jwt.sign({ org_id: 'o', exp: Math.floor(Date.now() / 1000) + 60 }, SECRET),
      jwt.sign({ sub: 'u', org_id: 'o' }, SECRET),
    ]) {
      const { ctx } = contextFor({ authorization: `Bearer ${bad}` });
      expect(await codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    }
  });

  it('tolerates a small clock skew on exp and nbf, but no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    const skewed = contextFor({
      authorization: `Bearer ${jwt.sign({ sub: 'u', org_id: 'o', exp: now - 10, nbf: now + 10 }, SECRET)}`,
    });
    await expect(guard().canActivate(skewed.ctx)).resolves.toBe(true);
    const late = contextFor({
      authorization: `Bearer ${jwt.sign({ sub: 'u', org_id: 'o', exp: now - 120 }, SECRET)}`,
    });
    expect(await codeOf(() => guard().canActivate(late.ctx))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('checks issuer and audience when configured', async () => {
    const g = guard({ jwtIssuer: 'https://issuer', jwtAudience: 'gateway' });
    const wrongAud = contextFor({
      authorization: `Bearer ${token({}, { issuer: 'https://issuer', audience: 'other' })}`,
    });
    expect(await codeOf(() => g.canActivate(wrongAud.ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    const wrongIss = contextFor({
      authorization: `Bearer ${token({}, { issuer: 'https://evil', audience: 'gateway' })}`,
    });
    expect(await codeOf(() => g.canActivate(wrongIss.ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    const right = contextFor({
      authorization: `Bearer ${token({}, { issuer: 'https://issuer', audience: 'gateway' })}`,
    });
    await expect(g.canActivate(right.ctx)).resolves.toBe(true);
  });

  it('answers 403 when a required scope is missing', async () => {
    const { ctx } = contextFor(
      { authorization: `Bearer ${token({ scopes: ['read'] })}` },
      { [SCOPES_KEY]: ['admin'] },
    );
    expect(await codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.FORBIDDEN);
  });

  it('refuses alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'u', org_id: 'o', exp: 9e9 })}.`;
    const { ctx } = contextFor({ authorization: `Bearer ${none}` });
    expect(await codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  describe('with a public key (RS256)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const g = guard({ jwtSecret: undefined, jwtPublicKey: pem });

    it('accepts a token signed with the private key', async () => {
      const rs = jwt.sign({ sub: 'u', org_id: 'o' }, privateKey, {
        algorithm: 'RS256',
        expiresIn: 60,
      });
      await expect(g.canActivate(contextFor({ authorization: `Bearer ${rs}` }).ctx)).resolves.toBe(
        true,
      );
    });

    it('refuses HS256, even signed with the public key as the secret (alg confusion)', async () => {
      const confused = jwt.sign({ sub: 'u', org_id: 'o', exp: 9e9 }, pem, { algorithm: 'HS256' });
      const { ctx } = contextFor({ authorization: `Bearer ${confused}` });
      expect(await codeOf(() => g.canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    });
  });

  it('pins an EC public key to its curve algorithm (ES256)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const g = guard({ jwtSecret: undefined, jwtPublicKey: pem });
    const es = jwt.sign({ sub: 'u', org_id: 'o' }, privateKey, {
      algorithm: 'ES256',
      expiresIn: 60,
    });
    await expect(g.canActivate(contextFor({ authorization: `Bearer ${es}` }).ctx)).resolves.toBe(
      true,
    );
    // An RS256 token (another key type) never reaches verification with the EC key.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = jwt.sign({ sub: 'u', org_id: 'o' }, rsa.privateKey, {
      algorithm: 'RS256',
      expiresIn: 60,
    });
    expect(
      await codeOf(() => g.canActivate(contextFor({ authorization: `Bearer ${rs}` }).ctx)),
    ).toBe(ErrorCode.UNAUTHENTICATED);
  });

  describe('API keys', () => {
    it('authenticates a gw_ key as its owner, in Bearer or x-api-key', async () => {
      const keys = new FakeApiKeys();
      const secret = keys.add({ scopes: ['admin'], rate_limit: { per_minute: 7 } });
      const variants: Array<Record<string, string>> = [
        { authorization: `Bearer ${secret}` },
        { 'x-api-key': secret },
      ];
      for (const headers of variants) {
        const { ctx, req } = contextFor(headers, { [SCOPES_KEY]: ['admin'] });
        await expect(guard({}, keys).canActivate(ctx)).resolves.toBe(true);
        expect(req.principal).toEqual({
          userId: 'owner',
          orgId: 'org-k',
          scopes: ['admin'],
          via: 'api_key',
          apiKeyId: 'key_0abcdefgh',
        });
        expect(req.apiKey).toEqual({ id: 'key_0abcdefgh', perMinute: 7 });
      }
    });

    it('never treats a gw_ credential as a JWT', async () => {
      const { ctx } = contextFor({ authorization: 'Bearer gw_unknown' });
      expect(await codeOf(() => guard().canActivate(ctx))).toBe(ErrorCode.UNAUTHENTICATED);
    });

    it('answers 403 for a key without the required scope', async () => {
      const keys = new FakeApiKeys();
      const secret = keys.add({ scopes: [] });
      const { ctx } = contextFor({ 'x-api-key': secret }, { [SCOPES_KEY]: ['admin'] });
      expect(await codeOf(() => guard({}, keys).canActivate(ctx))).toBe(ErrorCode.FORBIDDEN);
    });
  });
});
