import { lookup } from 'node:dns/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { SecretBox } from '../../src/common/crypto';
import { isNonPublicAddress } from '../../src/common/egress';
import { providerKeyContext } from '../../src/modules/provider-keys/provider-key.types';
import { ProviderKeysRepository } from '../../src/modules/provider-keys/provider-keys.repository';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { callJson } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';

/**
 * Issue 14, critical 2: SSRF through a provider key's `base_url`. An org admin stores a base URL
 * that points inside the gateway's network, then asks for a completion: the gateway must never
 * connect there, and nothing the internal service says may come back. Both layers are replayed:
 * the API refuses such a URL when it is stored, and the provider client refuses it when it is
 * called (for records stored before the check existed, and because DNS can change).
 */

const INTERNAL_SECRET = 'INTERNAL-METADATA-SECRET-7f3a';

/** Stands in for an internal service (a metadata endpoint, an admin API): records every hit. */
class InternalListener {
  readonly hits: Array<{ host?: string; url?: string; auth?: string }> = [];
  private readonly servers: http.Server[] = [];
  port = 0;

  async start(): Promise<void> {
    const handler: http.RequestListener = (req, res) => {
      this.hits.push({ host: req.headers.host, url: req.url, auth: req.headers.authorization });
      req.resume();
      // An answer in OpenAI's shape, so a reached listener would show up in the completion.
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'chatcmpl-internal',
          object: 'chat.completion',
          created: 0,
          model: 'gpt-4o-mini',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: INTERNAL_SECRET },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    };
    const v4 = http.createServer(handler);
    await new Promise<void>((r) => v4.listen(0, '127.0.0.1', r));
    this.servers.push(v4);
    this.port = (v4.address() as AddressInfo).port;
    // The same port on ::1, so `[::1]` and a `localhost` that resolves to ::1 land here too.
    const v6 = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      v6.once('error', reject);
      v6.listen(this.port, '::1', resolve);
    });
    this.servers.push(v6);
  }

  async close(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }
}

describe('SSRF through a provider key base_url (issue 14, critical 2)', () => {
  let g: GatewayWithMock;
  const internal = new InternalListener();
  let orgSeq = 0;
  const nextOrg = () => `org-ssrf-${process.pid}-${++orgSeq}`;
  const admin = (org: string) =>
    authHeaders(signToken({ sub: `admin-${org}`, org_id: org, scopes: ['admin'] }));

  beforeAll(async () => {
    await internal.start();
    g = await startGatewayWithMock();
  });
  afterAll(async () => {
    await g?.close();
    await internal.close();
  });

  const call = (method: string, route: string, org: string, body?: unknown) =>
    callJson(g.gw.url, method, route, admin(org), body);

  const completion = (org: string) =>
    call('POST', '/v1/chat/completions', org, {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is in the metadata?' }],
    });

  /** Stores a key the way a record written before the check existed would look. */
  async function storeLegacyKey(org: string, baseUrl: string): Promise<string> {
    const box = g.gw.app.get(SecretBox);
    const repo = g.gw.app.get(ProviderKeysRepository);
    const id = `pkey_legacy${orgSeq}x${Date.now()}`;
    await repo.create(
      org,
      {
        service: 'openai',
        key_sealed: box.encrypt('sk-tenant-key-0123456789', providerKeyContext(org, id)),
        masked_key: 'sk-...6789',
        base_url: baseUrl,
        weight: 1,
        name: null,
      },
      id,
    );
    return id;
  }

  const spellings = (p: number): Array<[string, string]> => [
    ['IPv4 loopback', `http://127.0.0.1:${p}/v1`],
    ['IPv6 loopback', `http://[::1]:${p}/v1`],
    ['localhost', `http://localhost:${p}/v1`],
    ['hex IPv4', `http://0x7f000001:${p}/v1`],
    ['IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${p}/v1`],
    ['IPv4-compatible IPv6', `http://[::127.0.0.1]:${p}/v1`],
    ['credentials in the URL', `http://user:pw@127.0.0.1:${p}/v1`],
    ['0.0.0.0', `http://0.0.0.0:${p}/v1`],
    [
      'trailing # (path control)',
      `http://127.0.0.1:${p}/latest/meta-data/iam/security-credentials#`,
    ],
    [
      'trailing ? (path control)',
      `http://127.0.0.1:${p}/latest/meta-data/iam/security-credentials?`,
    ],
    [
      'metadata-style path',
      `http://127.0.0.1:${p}/computeMetadata/v1/instance/service-accounts/default/token`,
    ],
  ];

  describe.each(spellings(0).map(([name]) => name))('%s', (name) => {
    const url = () => spellings(internal.port).find(([n]) => n === name)![1];

    it('is refused when stored, and the completion never reaches the internal listener', async () => {
      const org = nextOrg();
      const before = internal.hits.length;
      const created = await call('POST', '/api/v1/provider-keys', org, {
        service: 'openai',
        api_key: 'sk-tenant-key-0123456789',
        base_url: url(),
      });
      expect(created.status).toBe(400);
      expect(created.body.error.code).toBe('VALIDATION_FAILED');
      expect(created.text).not.toContain(INTERNAL_SECRET);

      const res = await completion(org);
      expect(res.text).not.toContain(INTERNAL_SECRET);
      expect(internal.hits.length).toBe(before);
    });

    it('is refused at call time when already stored (a 4xx, nothing reached, nothing leaked)', async () => {
      const org = nextOrg();
      await storeLegacyKey(org, url());
      const before = internal.hits.length;
      const res = await completion(org);
      expect(internal.hits.length).toBe(before);
      expect(res.text).not.toContain(INTERNAL_SECRET);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.type).toBe('permission_error');
      expect(res.body.error.message).toMatch(/egress policy/);
    });
  });

  it('refuses a name that DNS resolves to a loopback address, at call time', async () => {
    const name = os.hostname();
    const resolved = await lookup(name).catch(() => undefined);
    if (!resolved || !isNonPublicAddress(resolved.address)) {
      console.log(`[skip] ${name} does not resolve to a private address here; nothing to replay`);
      return;
    }
    const org = nextOrg();
    await storeLegacyKey(org, `http://${name}:${internal.port}/v1`);
    const before = internal.hits.length;
    const res = await completion(org);
    expect(internal.hits.length).toBe(before);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(INTERNAL_SECRET);
    // The address the name resolved to is not told to the tenant.
    expect(res.body.error.message).not.toContain(resolved.address);
  });

  it("never sends a tenant URL over the deployment's trusted connection to the same upstream", async () => {
    // Warm a trusted keep-alive connection to the mock (the deployment's configured upstream).
    const warm = await completion(nextOrg());
    expect(warm.status).toBe(200);
    const org = nextOrg();
    await storeLegacyKey(org, `${g.mock.url}/v1`);
    const res = await completion(org);
    expect(res.status).toBe(403);
    const withTenantKey = g.mock
      .requests()
      .filter((r) => String(r.headers.authorization ?? '').includes('sk-tenant-key'));
    expect(withTenantKey).toEqual([]);
  });

  it.each([
    ['a scheme other than http(s)', 'ftp://proxy.example.com/v1'],
    ['credentials', 'https://user:secret@proxy.example.com/v1'],
    ['a query string', 'https://proxy.example.com/v1?x=1'],
    ['a fragment', 'https://proxy.example.com/v1#frag'],
  ])('refuses a base_url with %s when stored', async (_why, baseUrl) => {
    const res = await call('POST', '/api/v1/provider-keys', nextOrg(), {
      service: 'openai',
      api_key: 'sk-tenant-key-0123456789',
      base_url: baseUrl,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.text).not.toContain('secret@');
  });

  it('refuses the same on update', async () => {
    const org = nextOrg();
    const created = await call('POST', '/api/v1/provider-keys', org, {
      service: 'openai',
      api_key: 'sk-tenant-key-0123456789',
      base_url: 'https://proxy.example.com/v1',
    });
    expect(created.status).toBe(201);
    const patched = await call('PATCH', `/api/v1/provider-keys/${created.body.data.id}`, org, {
      base_url: `http://127.0.0.1:${internal.port}/v1#`,
    });
    expect(patched.status).toBe(400);
  });

  it('never returns credentials stored in a base_url', async () => {
    const org = nextOrg();
    const id = await storeLegacyKey(org, 'https://proxyuser:proxy-pass-99@proxy.example.com/v1');
    const one = await call('GET', `/api/v1/provider-keys/${id}`, org);
    const list = await call('GET', '/api/v1/provider-keys', org);
    for (const res of [one, list]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('proxy-pass-99');
      expect(res.text).not.toContain('proxyuser');
    }
    expect(one.body.data.base_url).toContain('proxy.example.com/v1');
  });
});

describe('SSRF: an org key may reach a private host the deployment allowlists', () => {
  let g: GatewayWithMock;
  const internal = new InternalListener();

  beforeAll(async () => {
    await internal.start();
    g = await startGatewayWithMock({ EGRESS_ALLOWLIST: `127.0.0.1:${internal.port}` });
  });
  afterAll(async () => {
    await g?.close();
    await internal.close();
  });

  it('stores and uses an allowlisted host:port, and still refuses another port', async () => {
    const headers = authHeaders(signToken({ sub: 'a', org_id: 'org-allow', scopes: ['admin'] }));
    const post = (route: string, body: unknown) =>
      fetch(`${g.gw.url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });

    const otherPort = await post('/api/v1/provider-keys', {
      service: 'openai',
      api_key: 'sk-tenant-key-0123456789',
      base_url: `http://127.0.0.1:${internal.port + 1}/v1`,
    });
    expect(otherPort.status).toBe(400);

    const created = await post('/api/v1/provider-keys', {
      service: 'openai',
      api_key: 'sk-tenant-key-0123456789',
      base_url: `http://127.0.0.1:${internal.port}/v1`,
    });
    expect(created.status).toBe(201);
    const res = await post('/v1/chat/completions', {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(INTERNAL_SECRET);
    expect(internal.hits.length).toBe(1);
    expect(internal.hits[0].auth).toBe('Bearer sk-tenant-key-0123456789');
  });
});
