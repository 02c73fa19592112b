import * as jwt from 'jsonwebtoken';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockDirective } from '../mock-upstream/server';
import { withinOneWindow } from '../support/clock-window';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/** Typed readers for response bodies (fetch's json() is unknown). */
interface ErrorJson {
  code: string;
  message: string;
  type?: string;
  details?: { level?: string; limit?: number };
}
const errorOf = async (res: Response): Promise<ErrorJson> =>
  ((await res.json()) as { error: ErrorJson }).error;
const dataOf = async <T>(res: Response): Promise<T> => ((await res.json()) as { data: T }).data;

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { security?: object[]; responses: Record<string, unknown> }>
  >;
}

const AGENT_ROUTE = '/api/v2/model/chat/completion';
const KEYS_ROUTE = '/api/v1/api-keys';
const body = (extra: object = {}) => JSON.stringify({ agent_id: 'a', user: 'hi', ...extra });

/** An admin JWT of a fresh org (so tests never see each other's keys or counters). */
const adminOf = (org: string, user = 'admin-user') =>
  signToken({ sub: user, org_id: org, scopes: ['admin'] });

const bearer = (credential: string) => ({
  authorization: `Bearer ${credential}`,
  'content-type': 'application/json',
});

describe('Auth and rate limits (embedded, real HTTP)', () => {
  describe('HS256 tokens, API keys and request limits', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        RATE_LIMIT_USER_PER_MINUTE: '5',
        RATE_LIMIT_THREAD_PER_MINUTE: '3',
      });
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, init);
    const complete = (headers: Record<string, string>, payload = body()) =>
      call(AGENT_ROUTE, { method: 'POST', headers, body: payload });
    const createKey = async (token: string, payload: object) => {
      const res = await call(KEYS_ROUTE, {
        method: 'POST',
        headers: bearer(token),
        body: JSON.stringify(payload),
      });
      expect(res.status).toBe(201);
      return dataOf<{ id: string; secret: string; prefix: string }>(res);
    };

    describe('JWT', () => {
      it('refuses a forged signature, alg none, an expired token and one without exp', async () => {
        const forged = signToken({}, {}, 'another-secret-that-is-long-enough-to-sign!!');
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'u', org_id: 'o', exp: 9e9 })}.`;
        const expired = signToken({}, { expiresIn: -3600 });
        const noExp = jwt.sign(
          { sub: 'u', org_id: 'o' },
          'test-secret-that-is-long-enough-for-hs256!',
        );
        const messages: string[] = [];
        for (const token of [forged, none, expired, noExp]) {
          const res = await complete(authHeaders(token));
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
          const json = (await res.json()) as { success: boolean; error: ErrorJson };
          expect(json).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
          messages.push(json.error.message);
        }
        expect(messages[2]).toMatch(/expired/);
        expect(messages[3]).toMatch(/exp/);
      });

      it('answers 401 in OpenAI shape on /v1', async () => {
        const res = await call('/v1/chat/completions', {
          method: 'POST',
          headers: bearer('not-a-token'),
          body: '{}',
        });
        expect(res.status).toBe(401);
        expect(await errorOf(res)).toMatchObject({
          type: 'authentication_error',
          code: 'unauthenticated',
        });
      });

      it('answers 403 for a missing scope', async () => {
        const res = await call(KEYS_ROUTE, {
          headers: authHeaders(signToken({ scopes: ['read'] })),
        });
        expect(res.status).toBe(403);
        expect(await errorOf(res)).toMatchObject({
          code: 'FORBIDDEN',
          message: expect.stringContaining('admin'),
        });
      });
    });

    describe('API keys', () => {
      it('creates a key whose secret is shown once and never again', async () => {
        const org = `org-${randomUUID()}`;
        const admin = adminOf(org);
        const key = await createKey(admin, { name: 'ci', scopes: ['admin'] });
        expect(key.secret).toMatch(/^gw_[A-Za-z0-9]{40}$/);
        expect(key.prefix).toBe(key.secret.slice(0, 11));

        const list = (await (await call(KEYS_ROUTE, { headers: bearer(admin) })).json()) as {
          data: Array<{ id: string }>;
        };
        expect(list.data).toHaveLength(1);
        expect(list.data[0]).toMatchObject({ id: key.id, prefix: key.prefix, status: 'active' });
        const one = await (
          await call(`${KEYS_ROUTE}/${key.id}`, { headers: bearer(admin) })
        ).json();
        for (const shown of [JSON.stringify(list), JSON.stringify(one)]) {
          expect(shown).not.toContain(key.secret);
          expect(shown).not.toContain('key_hash');
        }
      });

      it('authenticates with Bearer and x-api-key, then refuses a revoked key at once', async () => {
        const org = `org-${randomUUID()}`;
        const key = await createKey(adminOf(org), { name: 'to-revoke', scopes: ['admin'] });
        const viaBearer = await call(KEYS_ROUTE, { headers: bearer(key.secret) });
        expect(viaBearer.status).toBe(200);
        const viaHeader = await call(KEYS_ROUTE, { headers: { 'x-api-key': key.secret } });
        expect(viaHeader.status).toBe(200);
        expect((await dataOf<Array<{ id: string }>>(viaHeader)).map((k) => k.id)).toEqual([key.id]);

        const revoke = await call(`${KEYS_ROUTE}/${key.id}/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminOf(org)}` },
        });
        expect(revoke.status).toBe(200);
        expect(await dataOf<{ status: string }>(revoke)).toMatchObject({ status: 'revoked' });

        // The key was cached by the calls above: the revocation must still apply immediately.
        const after = await call(KEYS_ROUTE, { headers: { 'x-api-key': key.secret } });
        expect(after.status).toBe(401);
        expect((await errorOf(after)).message).toMatch(/revoked/);
      });

      it('applies scope changes and deletion at once', async () => {
        const org = `org-${randomUUID()}`;
        const admin = adminOf(org);
        const key = await createKey(admin, { name: 'scoped', scopes: ['admin'] });
        expect((await call(KEYS_ROUTE, { headers: bearer(key.secret) })).status).toBe(200);
        const patch = await call(`${KEYS_ROUTE}/${key.id}`, {
          method: 'PATCH',
          headers: bearer(admin),
          body: JSON.stringify({ scopes: [] }),
        });
        expect(patch.status).toBe(200);
        expect((await call(KEYS_ROUTE, { headers: bearer(key.secret) })).status).toBe(403);
        // Without the admin scope the key still authenticates on the completion route.
        expect((await complete(bearer(key.secret))).status).not.toBe(401);

        const del = await call(`${KEYS_ROUTE}/${key.id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${admin}` },
        });
        expect(del.status).toBe(204);
        expect((await complete(bearer(key.secret))).status).toBe(401);
      });

      it('refuses unknown and malformed keys with 401', async () => {
        for (const secret of [`gw_${'A'.repeat(40)}`, 'gw_short']) {
          const res = await call(KEYS_ROUTE, { headers: { 'x-api-key': secret } });
          expect(res.status).toBe(401);
          expect((await errorOf(res)).message).toBe('Invalid API key');
        }
      });

      it('keeps keys inside their org and validates input', async () => {
        const admin = adminOf(`org-${randomUUID()}`);
        const key = await createKey(admin, { name: 'mine' });
        const stranger = adminOf(`org-${randomUUID()}`);
        const foreign = await call(`${KEYS_ROUTE}/${key.id}`, { headers: bearer(stranger) });
        expect(foreign.status).toBe(404);
        const foreignRevoke = await call(`${KEYS_ROUTE}/${key.id}/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stranger}` },
        });
        expect(foreignRevoke.status).toBe(404);

        const bad = async (path: string, method: string, payload: object | undefined) => {
          const res = await call(path, {
            method,
            headers: bearer(admin),
            body: payload === undefined ? undefined : JSON.stringify(payload),
          });
          expect(res.status).toBe(400);
          return (await errorOf(res)) as { code: string; message: string };
        };
        expect((await bad(KEYS_ROUTE, 'POST', { name: 'x', secret: 'mine' })).message).toContain(
          'secret',
        );
        expect(
          (await bad(KEYS_ROUTE, 'POST', { name: 'x', scopes: ['Admin!'] })).message,
        ).toContain('scope');
        expect(
          (await bad(KEYS_ROUTE, 'POST', { name: 'x', rate_limit: { per_minute: 0 } })).message,
        ).toContain('per_minute');
        expect(
          (await bad(KEYS_ROUTE, 'POST', { name: 'x', expires_at: '2001-01-01T00:00:00Z' }))
            .message,
        ).toContain('future');
        expect((await bad(`${KEYS_ROUTE}/not-an-id`, 'GET', undefined)).code).toBe(
          'VALIDATION_FAILED',
        );
        expect((await bad(`${KEYS_ROUTE}/${key.id}`, 'PATCH', { name: null })).message).toContain(
          'name',
        );
      });

      it('documents the security schemes on the management routes', async () => {
        const doc = (await (await call('/docs-json')).json()) as OpenApiDoc;
        for (const [path, methods] of Object.entries(doc.paths as Record<string, object>)) {
          if (!path.startsWith(KEYS_ROUTE)) continue;
          for (const op of Object.values(methods as Record<string, { security?: object[] }>)) {
            expect(op.security).toEqual(
              expect.arrayContaining([{ bearer: [] }, { 'api-key': [] }]),
            );
          }
        }
        expect(Object.keys(doc.paths)).toEqual(
          expect.arrayContaining([KEYS_ROUTE, `${KEYS_ROUTE}/{id}`, `${KEYS_ROUTE}/{id}/revoke`]),
        );
        expect(doc.paths[AGENT_ROUTE].post.responses['429']).toBeDefined();
      });
    });

    describe('request limits (in memory)', () => {
      const burst = async (n: number, send: () => Promise<Response>) => {
        const responses = await Promise.all(Array.from({ length: n }, send));
        return Promise.all(
          responses.map(async (r) => ({
            status: r.status,
            headers: r.headers,
            body: (await r.json()) as { success?: boolean; error: ErrorJson },
          })),
        );
      };

      it('admits exactly the per-user limit of a concurrent burst, with headers on every response', async () => {
        const token = signToken({ sub: `burst-${randomUUID()}` });
        const results = await burst(12, () => complete(authHeaders(token)));
        const limited = results.filter((r) => r.status === 429);
        const admitted = results.filter((r) => r.status !== 429);
        expect(admitted).toHaveLength(5);
        expect(limited).toHaveLength(7);
        expect(admitted.every((r) => r.status !== 401 && r.status !== 403)).toBe(true);
        for (const r of results) {
          expect(r.headers.get('ratelimit-limit')).toBe('5');
          expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
        }
        expect(admitted.map((r) => r.headers.get('ratelimit-remaining')).sort()).toEqual([
          '0',
          '1',
          '2',
          '3',
          '4',
        ]);
        for (const r of limited) {
          expect(r.headers.get('ratelimit-remaining')).toBe('0');
          expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(r.body).toMatchObject({
            success: false,
            error: { code: 'RATE_LIMITED', details: { level: 'user', limit: 5 } },
          });
        }
      });

      it('limits a thread (thread_id or x-thread-id) after the user limit', async () => {
        const token = signToken({ sub: `thread-${randomUUID()}` });
        const thread = `t-${randomUUID()}`;
        const results = await burst(4, () =>
          complete(authHeaders(token), body({ thread_id: thread })),
        );
        expect(results.filter((r) => r.status !== 429)).toHaveLength(3);
        const refused = results.find((r) => r.status === 429);
        expect(refused?.body.error.details).toMatchObject({ level: 'thread', limit: 3 });
        expect(refused?.headers.get('ratelimit-limit')).toBe('3');
        // Via the header: the 5th request passes the user limit, the thread is still full.
        const viaHeader = await complete({ ...authHeaders(token), 'x-thread-id': thread });
        expect(viaHeader.status).toBe(429);
        expect((await errorOf(viaHeader)).details?.level).toBe('thread');
        // Every attempt counted against the user (5 of 5), so another thread is refused too.
        const other = await complete(authHeaders(token), body({ thread_id: `t-${randomUUID()}` }));
        expect(other.status).toBe(429);
        expect((await errorOf(other)).details?.level).toBe('user');
      });

      it('uses an API key own limit instead of the per-user one', async () => {
        const key = await createKey(adminOf(`org-${randomUUID()}`), {
          name: 'slow',
          rate_limit: { per_minute: 2 },
        });
        const results = await burst(6, () => complete(bearer(key.secret)));
        expect(results.filter((r) => r.status !== 429)).toHaveLength(2);
        expect(results[0].headers.get('ratelimit-limit')).toBe('2');
      });

      it('answers 429 in OpenAI shape on /v1', async () => {
        const token = signToken({ sub: `v1-${randomUUID()}` });
        const send = () =>
          call('/v1/chat/completions', {
            method: 'POST',
            headers: authHeaders(token),
            body: JSON.stringify({
              model: 'agent/none',
              messages: [{ role: 'user', content: 'hi' }],
            }),
          });
        const results = await burst(7, send);
        const limited = results.filter((r) => r.status === 429);
        expect(limited).toHaveLength(2);
        expect(limited[0].body.error).toMatchObject({
          type: 'rate_limit_error',
          code: 'rate_limited',
        });
        expect(limited[0].headers.get('retry-after')).toBeTruthy();
      });
    });
  });

  describe('org token budget (reserved before the call, settled after it)', () => {
    let g: GatewayWithMock;
    beforeAll(async () => {
      g = await startGatewayWithMock({
        RATE_LIMIT_ORG_TOKENS_PER_MINUTE: '1000',
        RATE_LIMIT_USER_PER_MINUTE: '0',
        RATE_LIMIT_THREAD_PER_MINUTE: '0',
      });
    });
    afterAll(async () => {
      await g?.close();
    });

    // 400 characters -> 100 input tokens, plus max_tokens 150: 250 reserved; the mock answers
    // with 100 input + 102 output = 202 tokens.
    const ask = (token: string, suffix = '') =>
      fetch(`${g.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(token),
        body: JSON.stringify({
          model: 'openai/gpt-4o-mini',
          messages: [{ role: 'user', content: `${'x'.repeat(400)}${suffix}` }],
          max_tokens: 150,
        }),
      });
    const remaining = (res: Response) => Number(res.headers.get('x-ratelimit-remaining-tokens'));

    it('charges the real usage once a call ends, gives a failed call its estimate back, and refuses once spent', async () => {
      await withinOneWindow();
      const token = signToken({ org_id: `org-${randomUUID()}` });
      const first = await ask(token);
      expect(first.status).toBe(200);
      expect(((await first.json()) as { usage: { total_tokens: number } }).usage.total_tokens).toBe(
        202,
      );
      expect(remaining(first)).toBe(1000 - 250);
      // Settled to 202: the next reservation starts from there.
      const second = await ask(token);
      expect(second.status).toBe(200);
      await second.text();
      expect(remaining(second)).toBe(1000 - 202 - 250);
      // A call the provider refuses used nothing: its reservation comes back whole.
      const failed = await ask(token, mockDirective({ status: 400 }));
      expect(failed.status).toBeGreaterThanOrEqual(400);
      await failed.text();
      const third = await ask(token);
      await third.text();
      expect(remaining(third)).toBe(1000 - 2 * 202 - 250);
      // Admitted while below the budget: 606 -> 808 -> 1010 (the one overshoot); then refused.
      for (const used of [808, 1010]) {
        const res = await ask(token);
        expect(res.status).toBe(200);
        await res.text();
        expect(remaining(res)).toBe(Math.max(0, 1000 - (used - 202) - 250));
      }
      const refused = await ask(token);
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: ErrorJson }).error).toMatchObject({
        type: 'rate_limit_error',
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('issuer and audience', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ JWT_AUDIENCE: 'gateway', JWT_ISSUER: 'https://issuer.test' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses a wrong or missing audience or issuer and accepts the right ones', async () => {
      const org = `org-${randomUUID()}`;
      const tokenFor = (opts: jwt.SignOptions) =>
        signToken({ org_id: org, scopes: ['admin'] }, opts);
      const statusFor = async (opts: jwt.SignOptions) =>
        (await fetch(`${t.url}${KEYS_ROUTE}`, { headers: authHeaders(tokenFor(opts)) })).status;
      expect(await statusFor({ audience: 'other', issuer: 'https://issuer.test' })).toBe(401);
      expect(await statusFor({ issuer: 'https://issuer.test' })).toBe(401);
      expect(await statusFor({ audience: 'gateway', issuer: 'https://evil.test' })).toBe(401);
      expect(await statusFor({ audience: 'gateway', issuer: 'https://issuer.test' })).toBe(200);
    });
  });

  describe('RS256 with JWT_PUBLIC_KEY', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ JWT_SECRET: undefined, JWT_PUBLIC_KEY: pem });
    });
    afterAll(async () => {
      await t?.close();
    });

    const statusWith = async (token: string) =>
      (await fetch(`${t.url}${KEYS_ROUTE}`, { headers: authHeaders(token) })).status;
    const claims = () => ({ sub: 'u', org_id: `org-${randomUUID()}`, scopes: ['admin'] });

    it('accepts RS256 tokens signed with the matching private key', async () => {
      const token = jwt.sign(claims(), privateKey, { algorithm: 'RS256', expiresIn: 60 });
      expect(await statusWith(token)).toBe(200);
    });

    it('refuses HS256 tokens, including ones keyed with the public key (alg confusion)', async () => {
      expect(await statusWith(signToken({ scopes: ['admin'] }))).toBe(401);
      const confused = jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) + 60 }, pem, {
        algorithm: 'HS256',
      });
      expect(await statusWith(confused)).toBe(401);
    });

    it('refuses a token signed by another key pair', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      expect(
        await statusWith(jwt.sign(claims(), other, { algorithm: 'RS256', expiresIn: 60 })),
      ).toBe(401);
    });
  });

  describe('JWKS (JWT_JWKS_URI)', () => {
    interface SigningKey {
      kid: string;
      privateKey: KeyObject;
      jwk: object;
    }
    const newKey = (kid: string): SigningKey => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' } };
    };
    let published: SigningKey[] = [];
    let fetches = 0;
    let server: Server;
    let t: TestApp;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      published = [newKey('k1')];
      t = await startTestApp({
        JWT_SECRET: undefined,
        JWT_JWKS_URI: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      });
    });
    afterAll(async () => {
      await t?.close();
      await new Promise((resolve) => server?.close(resolve));
    });

    const sign = (key: SigningKey, kid = key.kid) =>
      jwt.sign({ sub: 'u', org_id: `org-${randomUUID()}`, scopes: ['admin'] }, key.privateKey, {
        algorithm: 'RS256',
        expiresIn: 60,
        keyid: kid,
      });
    const statusWith = async (token: string) =>
      (await fetch(`${t.url}${KEYS_ROUTE}`, { headers: authHeaders(token) })).status;

    // One test, because the unknown-kid refetch cooldown is shared state of the app.
    it('refetches once for a rotated-in kid, then not again for unknown kids', async () => {
      const k1 = published[0];
      expect(await statusWith(sign(k1))).toBe(200);
      const before = fetches;
      const k2 = newKey('k2');
      published = [k1, k2];
      expect(await statusWith(sign(k2))).toBe(200);
      expect(fetches).toBe(before + 1);
      expect(await statusWith(sign(k1))).toBe(200);

      const stranger = newKey('k3'); // never published
      expect(await statusWith(sign(stranger))).toBe(401);
      expect(await statusWith(sign(stranger, 'k4'))).toBe(401);
      expect(fetches).toBe(before + 1);
    });

    it('refuses a token signed by another key under a published kid', async () => {
      expect(await statusWith(sign(newKey('k1')))).toBe(401);
    });
  });
});
