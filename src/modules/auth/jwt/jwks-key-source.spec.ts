import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { AppException, ErrorCode } from '../../../common/errors';
import { JwksKeySource, parseJwks } from './jwks-key-source';

function rsaJwk(kid: string, extra: Record<string, unknown> = {}) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', ...extra }, privateKey };
}

/** A JWKS endpoint whose document the test can change, counting fetches. */
async function jwksServer(): Promise<{
  url: string;
  setKeys(keys: object[]): void;
  fetches(): number;
  fail(on: boolean): void;
  close(): Promise<void>;
}> {
  let keys: object[] = [];
  let count = 0;
  let failing = false;
  const server: Server = createServer((_req, res) => {
    count++;
    if (failing) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    setKeys: (k) => (keys = k),
    fetches: () => count,
    fail: (on) => (failing = on),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('JwksKeySource', () => {
  let srv: Awaited<ReturnType<typeof jwksServer>>;
  let clock = 1_000_000;
  const now = () => clock;

  beforeEach(async () => {
    srv = await jwksServer();
    clock = 1_000_000;
  });
  afterEach(() => srv.close());

  it('finds a key by kid and pins it to its algorithm family', async () => {
    const a = rsaJwk('a');
    srv.setKeys([a.jwk]);
    const source = new JwksKeySource(srv.url, { now });
    const key = await source.keyFor('a', 'RS256');
    expect(key?.key.asymmetricKeyType).toBe('rsa');
    expect(key?.algorithms).toEqual(['RS256', 'RS384', 'RS512']);
    expect(await source.keyFor('a', 'ES256')).toBeUndefined();
    expect(srv.fetches()).toBe(1);
  });

  it('refetches once for an unknown kid, then not again within the cooldown', async () => {
    const a = rsaJwk('a');
    const b = rsaJwk('b');
    srv.setKeys([a.jwk]);
    const source = new JwksKeySource(srv.url, { now, unknownKidCooldownMs: 10_000 });
    expect(await source.keyFor('a', 'RS256')).toBeDefined();
    srv.setKeys([a.jwk, b.jwk]); // the identity provider rotates
    expect(await source.keyFor('b', 'RS256')).toBeDefined();
    expect(srv.fetches()).toBe(2);
    expect(await source.keyFor('made-up', 'RS256')).toBeUndefined();
    expect(await source.keyFor('made-up-2', 'RS256')).toBeUndefined();
    expect(srv.fetches()).toBe(2);
    clock += 10_000;
    expect(await source.keyFor('made-up-3', 'RS256')).toBeUndefined();
    expect(srv.fetches()).toBe(3);
  });

  it('shares one fetch between concurrent lookups', async () => {
    srv.setKeys([rsaJwk('a').jwk]);
    const source = new JwksKeySource(srv.url, { now });
    const keys = await Promise.all(Array.from({ length: 10 }, () => source.keyFor('a', 'RS256')));
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(srv.fetches()).toBe(1);
  });

  it('keeps known keys when a refresh fails, and answers 503 when it never had any', async () => {
    srv.setKeys([rsaJwk('a').jwk]);
    const source = new JwksKeySource(srv.url, { now, maxAgeMs: 1000 });
    expect(await source.keyFor('a', 'RS256')).toBeDefined();
    srv.fail(true);
    clock += 5000; // stale: refetch fails, the old keys still serve
    expect(await source.keyFor('a', 'RS256')).toBeDefined();

    const empty = new JwksKeySource(srv.url, { now });
    const err = await empty.keyFor('a', 'RS256').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppException);
    expect((err as AppException).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });

  it('uses a kid-less token only when the set has exactly one matching key', async () => {
    const a = rsaJwk('a');
    srv.setKeys([a.jwk]);
    const one = new JwksKeySource(srv.url, { now });
    expect(await one.keyFor(undefined, 'RS256')).toBeDefined();
    srv.setKeys([a.jwk, rsaJwk('b').jwk]);
    const two = new JwksKeySource(srv.url, { now });
    expect(await two.keyFor(undefined, 'RS256')).toBeUndefined();
  });
});

describe('parseJwks', () => {
  it('ignores symmetric keys, encryption keys and keys whose alg does not fit', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = { ...publicKey.export({ format: 'jwk' }), kid: 'ec' };
    const keys = parseJwks({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
        { ...rsaJwk('enc').jwk, use: 'enc' },
        { ...rsaJwk('mislabelled').jwk, alg: 'ES256' },
        { ...rsaJwk('rs512').jwk, alg: 'RS512' },
        ec,
        'junk',
      ],
    });
    expect(keys.map((k) => [k.kid, k.algorithms])).toEqual([
      ['rs512', ['RS512']],
      ['ec', ['ES256']],
    ]);
  });

  it('uses only the public members of a key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [key] = parseJwks({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'p' }] });
    expect(key.key.type).toBe('public');
  });

  it('rejects a document without a keys array', () => {
    expect(() => parseJwks({ nope: [] })).toThrow(/keys/);
  });
});
