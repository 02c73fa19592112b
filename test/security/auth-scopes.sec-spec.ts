import { randomUUID } from 'node:crypto';
import * as jwt from 'jsonwebtoken';
import { ApiKeysRepository } from '../../src/modules/auth';
import { hashApiKey, generateApiKeySecret } from '../../src/modules/auth/api-keys/api-key-secret';
import { callJson, type JsonCall } from '../support/json';
import {
  authHeaders,
  signToken,
  startTestApp,
  TEST_JWT_SECRET,
  type TestApp,
} from '../support/test-app';

/**
 * Issue 14, critical 1: scope escalation through the org's own key API, replayed as an attacker
 * would, over real HTTP. An org admin holds `admin` only; `deployment:admin` guards the shared
 * model catalog (`PUT /api/v1/catalog-overrides`), whose prices every org is billed by.
 */
const KEYS = '/api/v1/api-keys';
const CATALOG = '/api/v1/catalog-overrides';
/** A change every org would feel: a price of the shared catalog. */
const PRICE_HIKE = {
  services: {
    openai: {
      models: { 'gpt-4o-mini': { pricing: { input_per_mtok: 999, output_per_mtok: 999 } } },
    },
  },
};

const bearer = (credential: string) => authHeaders(credential);

describe('security: scope escalation (issue 14, critical 1)', () => {
  let t: TestApp;
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    callJson(t.url, method, path, headers, body);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_USER_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const freshOrg = () => `org-${randomUUID()}`;
  const orgAdmin = (org: string, sub = 'org-admin') =>
    signToken({ sub, org_id: org, scopes: ['admin'] });
  const deploymentAdmin = (org: string) =>
    signToken({ sub: 'operator', org_id: org, scopes: ['admin', 'deployment:admin'] });

  const createKey = (token: string, body: object) => call('POST', KEYS, bearer(token), body);
  const expectCreated = (res: JsonCall) => {
    expect(res.status).toBe(201);
    return res.body.data as { id: string; secret: string; scopes: string[]; user_id: string };
  };
  /** The shared catalog's overrides are untouched by the attack. */
  const expectCatalogUntouched = async (org: string) => {
    const read = await call('GET', CATALOG, bearer(orgAdmin(org)));
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body.data.overrides ?? {})).not.toContain('999');
  };

  describe('creating a key', () => {
    it('refuses deployment-wide scopes from an org admin, and the catalog stays as it was', async () => {
      const org = freshOrg();
      // The attack: mint a key with a deployment scope, then reprice the shared catalog with it.
      const res = await createKey(orgAdmin(org), {
        name: 'escalate',
        scopes: ['admin', 'deployment:admin'],
      });
      if (res.status === 201) {
        await call('PUT', CATALOG, bearer(res.body.data.secret as string), PRICE_HIKE);
      }
      await expectCatalogUntouched(org);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.body.error.message).toContain('deployment:admin');
      // Nothing was stored, so nothing can be used.
      expect((await call('GET', KEYS, bearer(orgAdmin(org)))).body.data).toEqual([]);
    });

    it('refuses deployment-wide scopes even from a deployment admin (keys are the org API)', async () => {
      const org = freshOrg();
      for (const scopes of [['deployment:admin'], ['admin', 'deployment:anything']]) {
        const res = await createKey(deploymentAdmin(org), { name: 'ops key', scopes });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });

    it('refuses scopes the creator does not hold (403, naming them)', async () => {
      const org = freshOrg();
      const member = signToken({ sub: 'member', org_id: org, scopes: ['admin', 'reports'] });
      const res = await createKey(member, { name: 'wider', scopes: ['admin', 'billing'] });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(res.body.error.message).toContain('billing');
      // Held scopes are fine.
      expect(
        expectCreated(await createKey(member, { name: 'ok', scopes: ['reports'] })).scopes,
      ).toEqual(['reports']);
    });

    it('lets a key create keys only within its own scopes', async () => {
      const org = freshOrg();
      const parent = expectCreated(
        await createKey(orgAdmin(org), { name: 'parent', scopes: ['admin'] }),
      );
      const wider = await createKey(parent.secret, { name: 'child', scopes: ['admin', 'support'] });
      expect(wider.status).toBe(403);
      const viaKey = await createKey(parent.secret, {
        name: 'child',
        scopes: ['deployment:admin'],
      });
      expect(viaKey.status).toBe(400);
      expect(
        expectCreated(await createKey(parent.secret, { name: 'child', scopes: ['admin'] })).scopes,
      ).toEqual(['admin']);
    });
  });

  describe('patching a key', () => {
    it('refuses adding deployment-wide scopes or scopes the caller lacks', async () => {
      const org = freshOrg();
      const admin = orgAdmin(org);
      const key = expectCreated(await createKey(admin, { name: 'k', scopes: [] }));
      const deploy = await call('PATCH', `${KEYS}/${key.id}`, bearer(admin), {
        scopes: ['admin', 'deployment:admin'],
      });
      expect(deploy.status).toBe(400);
      const wider = await call('PATCH', `${KEYS}/${key.id}`, bearer(admin), {
        scopes: ['billing'],
      });
      expect(wider.status).toBe(403);
      // The key kept its grant and still cannot touch the catalog.
      expect((await call('GET', `${KEYS}/${key.id}`, bearer(admin))).body.data.scopes).toEqual([]);
      const put = await call('PUT', CATALOG, bearer(key.secret), PRICE_HIKE);
      expect(put.status).toBe(403);
      await expectCatalogUntouched(org);
    });

    it('refuses any edit of a key that grants more than the caller holds, but lets it be revoked', async () => {
      const org = freshOrg();
      const wide = signToken({ sub: 'owner', org_id: org, scopes: ['admin', 'billing'] });
      const key = expectCreated(
        await createKey(wide, { name: 'billing', scopes: ['admin', 'billing'] }),
      );
      const narrow = orgAdmin(org, 'junior');
      // Extending the expiry of a grant one could not make is making it.
      const extend = await call('PATCH', `${KEYS}/${key.id}`, bearer(narrow), {
        expires_at: '2099-01-01T00:00:00Z',
      });
      expect(extend.status).toBe(403);
      // Narrowing it to what the caller holds is allowed, and so is revoking it.
      const narrowed = await call('PATCH', `${KEYS}/${key.id}`, bearer(narrow), {
        scopes: ['admin'],
      });
      expect(narrowed.status).toBe(200);
      const revoke = await call('POST', `${KEYS}/${key.id}/revoke`, bearer(narrow));
      expect(revoke.status).toBe(200);
    });
  });

  describe('who a key acts as', () => {
    it('binds a key to its creator: another user_id is refused, never spoofed into updated_by', async () => {
      const org = freshOrg();
      const admin = orgAdmin(org, 'alice');
      const spoof = await createKey(admin, { name: 'spoof', user_id: 'victim', scopes: ['admin'] });
      expect(spoof.status).toBe(403);
      expect(spoof.body.error.message).toContain('user_id');
      // Sending one's own id is accepted (older clients do).
      const own = expectCreated(await createKey(admin, { name: 'own', user_id: 'alice' }));
      expect(own.user_id).toBe('alice');
      const plain = expectCreated(await createKey(admin, { name: 'plain', scopes: ['admin'] }));
      expect(plain.user_id).toBe('alice');
      const view = (await call('GET', `${KEYS}/${plain.id}`, bearer(admin))).body.data;
      expect(view).toMatchObject({ user_id: 'alice', created_by: 'alice' });
      // PATCH has no user_id: the owner cannot be moved to someone else later either.
      const move = await call('PATCH', `${KEYS}/${plain.id}`, bearer(admin), { user_id: 'victim' });
      expect(move.status).toBe(400);
    });

    it('records the authenticated deployment admin as updated_by of the catalog', async () => {
      const org = freshOrg();
      const put = await call('PUT', CATALOG, bearer(deploymentAdmin(org)), {});
      expect(put.status).toBe(200);
      expect(put.body.data.updated_by).toBe('operator');
    });
  });

  describe('deployment-wide scopes come only from deployment-issued credentials', () => {
    it('a JWT signed by the deployment may change the catalog; one signed elsewhere may not', async () => {
      const org = freshOrg();
      expect((await call('PUT', CATALOG, bearer(deploymentAdmin(org)), {})).status).toBe(200);
      const forged = signToken(
        { sub: 'operator', org_id: org, scopes: ['admin', 'deployment:admin'] },
        {},
        `${TEST_JWT_SECRET}-not-ours`,
      );
      expect((await call('PUT', CATALOG, bearer(forged), PRICE_HIKE)).status).toBe(401);
    });

    it('a stored key that carries a deployment scope (written before the fix) does not grant it', async () => {
      const org = freshOrg();
      const { secret, hash, prefix } = generateApiKeySecret();
      expect(hash).toBe(hashApiKey(secret));
      // Planted straight in the store, as a row from before scopes were checked would be.
      await t.app.get(ApiKeysRepository).create(org, {
        name: 'legacy',
        user_id: 'legacy-user',
        prefix,
        key_hash: hash,
        scopes: ['admin', 'deployment:admin'],
        rate_limit: null,
        expires_at: null,
        revoked_at: null,
        last_used_at: null,
        created_by: 'legacy-user',
      });
      // It still works for what an org key may do...
      expect((await call('GET', CATALOG, bearer(secret))).status).toBe(200);
      // ...but not for the deployment.
      const put = await call('PUT', CATALOG, bearer(secret), PRICE_HIKE);
      expect(put.status).toBe(403);
      expect(put.body.error.code).toBe('FORBIDDEN');
      await expectCatalogUntouched(org);
      // Nor can it pass the scope on.
      expect((await createKey(secret, { name: 'x', scopes: ['deployment:admin'] })).status).toBe(
        400,
      );
    });
  });

  describe('minor (issue 14)', () => {
    const statusWith = async (token: string) => (await call('GET', KEYS, bearer(token))).status;

    it('refuses a JWT issued far in the future and tolerates a small clock skew', async () => {
      const org = freshOrg();
      const now = Math.floor(Date.now() / 1000);
      const sign = (iat: number) =>
        jwt.sign(
          { sub: 'u', org_id: org, scopes: ['admin'], iat, exp: now + 3600 * 24 * 400 },
          TEST_JWT_SECRET,
          {
            algorithm: 'HS256',
          },
        );
      const future = await call('GET', KEYS, bearer(sign(now + 3600 * 24 * 365)));
      expect(future.status).toBe(401);
      expect(future.body.error.message).toMatch(/iat|issued/i);
      expect(await statusWith(sign(now + 3600))).toBe(401);
      expect(await statusWith(sign(now + 10))).toBe(200);
      expect(await statusWith(sign(now - 60))).toBe(200);
    });

    it('refuses expires_at without a time zone (400) on create and patch', async () => {
      const admin = orgAdmin(freshOrg());
      for (const expires_at of ['2099-01-01T00:00:00', '2099-01-01', '2099-01-01T00:00']) {
        const res = await createKey(admin, { name: 'tz', expires_at });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('expires_at');
      }
      const key = expectCreated(
        await createKey(admin, { name: 'tz', expires_at: '2099-01-01T00:00:00+02:00' }),
      );
      const patch = await call('PATCH', `${KEYS}/${key.id}`, bearer(admin), {
        expires_at: '2099-06-01T12:00:00',
      });
      expect(patch.status).toBe(400);
      expect(patch.body.error.message).toContain('expires_at');
      const ok = await call('PATCH', `${KEYS}/${key.id}`, bearer(admin), {
        expires_at: '2099-06-01T12:00:00Z',
      });
      expect(ok.status).toBe(200);
      expect(ok.body.data.expires_at).toBe('2099-06-01T12:00:00.000Z');
    });
  });
});
