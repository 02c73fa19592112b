import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import {
  AllowlistEntryError,
  allowlistProblems,
  checkedLookup,
  EgressError,
  EgressPolicy,
  isNonPublicAddress,
  parseAllowlistEntry,
  safeRequest,
} from './index';

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
  ])('refuses %s', (ip) => expect(isNonPublicAddress(ip)).toBe(true));
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808'])(
    'allows %s',
    (ip) => expect(isNonPublicAddress(ip)).toBe(false),
  );

  // The special-purpose IPv6 ranges, each with a form that embeds a loopback or metadata IPv4.
  it.each([
    ['IPv4-compatible ::/96', ['::7f00:1', '::127.0.0.1', '::a9fe:a9fe', '::8.8.8.8']],
    ['IPv4-mapped, hex spelling', ['::ffff:7f00:1', '::ffff:a9fe:a9fe', '::ffff:a00:1']],
    ['SIIT ::ffff:0:0:0/96', ['::ffff:0:7f00:1', '::ffff:0:127.0.0.1', '::ffff:0:808:808']],
    ['NAT64 well-known 64:ff9b::/96', ['64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe']],
    ['NAT64 local-use 64:ff9b:1::/48', ['64:ff9b:1::7f00:1', '64:ff9b:1:ffff::1']],
    ['6to4 2002::/16', ['2002:7f00:1::1', '2002:a9fe:a9fe::', '2002:808:808::1']],
    ['Teredo 2001::/32', ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::1']],
    ['site-local fec0::/10', ['fec0::1', 'feff::1']],
    ['6to4 relay anycast 192.88.99.0/24', ['192.88.99.1', '::ffff:192.88.99.1']],
    ['unspecified and loopback', ['::', '::1', '0.0.0.0']],
  ])('refuses %s', (_range, addresses) => {
    for (const ip of addresses) expect([ip, isNonPublicAddress(ip)]).toEqual([ip, true]);
  });

  it('keeps the public neighbours of those ranges public', () => {
    for (const ip of [
      '2001:1::1',
      '2003::1',
      '64:ff9b:2::1',
      'fe00::1',
      '192.88.98.1',
      '192.88.100.1',
    ])
      expect([ip, isNonPublicAddress(ip)]).toEqual([ip, false]);
  });
});

describe('allowlist entries', () => {
  it.each([
    ['api.internal', { kind: 'host', host: 'api.internal' }],
    ['API.Internal:8443', { kind: 'host', host: 'api.internal', port: 8443 }],
    ['*.corp.example', { kind: 'suffix', suffix: '.corp.example' }],
    ['*.corp.example:443', { kind: 'suffix', suffix: '.corp.example', port: 443 }],
    ['10.0.0.5', { kind: 'net', family: 'ipv4', address: '10.0.0.5' }],
    ['10.0.0.5:8080', { kind: 'net', family: 'ipv4', address: '10.0.0.5', port: 8080 }],
    ['10.2.0.0/16', { kind: 'net', family: 'ipv4', address: '10.2.0.0', prefix: 16 }],
    [
      '10.2.0.0/16:443',
      { kind: 'net', family: 'ipv4', address: '10.2.0.0', prefix: 16, port: 443 },
    ],
    ['fd00::/8', { kind: 'net', family: 'ipv6', address: 'fd00::', prefix: 8 }],
    ['[fd00::1]:8443', { kind: 'net', family: 'ipv6', address: 'fd00::1', port: 8443 }],
    ['127.1', { kind: 'net', family: 'ipv4', address: '127.0.0.1' }],
    ['svc_name.internal', { kind: 'host', host: 'svc_name.internal' }],
  ])('parses %s', (raw, expected) => {
    expect(parseAllowlistEntry(raw)).toEqual(expected);
  });

  it.each([
    ['http://api.internal', 'not a URL'],
    ['api.internal:0', 'port'],
    ['api.internal:70000', 'port'],
    ['api.internal:http', 'port'],
    ['10.0.0.0/33', 'prefix'],
    ['fd00::/129', 'prefix'],
    ['10.0.0.0/x', 'prefix'],
    ['api.internal/v1', 'CIDR'],
    ['*', 'wildcard'],
    ['a.*.example', 'wildcard'],
    ['*.', 'host name'],
    ['bad host', 'host'],
    ['-bad.example', 'host name'],
    ['[api.internal]:80', 'IPv6'],
  ])('refuses %s as an entry that can never match', (raw, why) => {
    expect(() => parseAllowlistEntry(raw)).toThrow(AllowlistEntryError);
    expect(() => parseAllowlistEntry(raw)).toThrow(why);
  });

  it('lists every bad entry, one line each', () => {
    expect(allowlistProblems(['ok.internal', 'http://x', '10.0.0.0/40'])).toEqual([
      '"http://x" must be a host, not a URL (drop the scheme)',
      '"10.0.0.0/40" has a prefix length outside 0-32',
    ]);
  });
});

describe('EgressPolicy', () => {
  it('allows private addresses only when configured', () => {
    expect(new EgressPolicy({ allowPrivate: false, allowlist: [] }).allows('db', '10.0.0.5')).toBe(
      false,
    );
    expect(new EgressPolicy({ allowPrivate: true, allowlist: [] }).allows('db', '10.0.0.5')).toBe(
      true,
    );
  });

  it('honours hosts, wildcard suffixes and CIDRs in the allowlist', () => {
    const p = new EgressPolicy({
      allowPrivate: false,
      allowlist: ['tools.internal', '*.corp.example', '10.2.0.0/16'],
    });
    expect(p.allows('tools.internal', '10.9.9.9')).toBe(true);
    expect(p.allows('a.corp.example', '192.168.0.4')).toBe(true);
    expect(p.allows('other', '10.2.3.4')).toBe(true);
    expect(p.allows('other', '10.3.3.4')).toBe(false);
  });

  it('matches an entry with a port only on that port', () => {
    const p = new EgressPolicy({
      allowPrivate: false,
      allowlist: [
        'tools.internal:8443',
        '*.corp.example:443',
        '10.2.0.0/16:8080',
        '[fd00::1]:9000',
      ],
    });
    expect(p.allows('tools.internal', '10.9.9.9', 8443)).toBe(true);
    expect(p.allows('tools.internal', '10.9.9.9', 80)).toBe(false);
    expect(p.allows('tools.internal', '10.9.9.9')).toBe(false);
    expect(p.allows('a.corp.example', '10.1.1.1', 443)).toBe(true);
    expect(p.allows('a.corp.example', '10.1.1.1', 80)).toBe(false);
    expect(p.allows('x', '10.2.3.4', 8080)).toBe(true);
    expect(p.allows('x', '10.2.3.4', 8081)).toBe(false);
    expect(p.allows('[fd00::1]', 'fd00::1', 9000)).toBe(true);
    expect(p.allows('[fd00::1]', 'fd00::1', 9001)).toBe(false);
  });

  it('refuses before any lookup what can be refused from the URL alone', () => {
    const p = new EgressPolicy({ allowPrivate: false, allowlist: ['localhost:4010'] });
    const refused = (u: string) => p.refusal(new URL(u)) !== undefined;
    expect(refused('http://127.0.0.1/')).toBe(true);
    expect(refused('http://0x7f000001/')).toBe(true);
    expect(refused('http://[::ffff:127.0.0.1]/')).toBe(true);
    expect(refused('http://[::1]/')).toBe(true);
    expect(refused('http://0.0.0.0/')).toBe(true);
    expect(refused('http://169.254.169.254/latest/meta-data')).toBe(true);
    expect(refused('http://localhost/')).toBe(true);
    expect(refused('http://api.localhost/')).toBe(true);
    expect(refused('ftp://example.com/')).toBe(true);
    expect(refused('http://localhost:4010/')).toBe(false);
    expect(refused('https://api.example.com/v1')).toBe(false);
    expect(refused('http://8.8.8.8/')).toBe(false);
  });
});

describe('checkedLookup', () => {
  const policy = new EgressPolicy({ allowPrivate: false, allowlist: [] });
  const lookupWith = (answers: LookupAddress[][]) => {
    let call = 0;
    const resolve = (
      _h: string,
      _o: unknown,
      cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
    ) => cb(null, answers[Math.min(call++, answers.length - 1)]);
    return checkedLookup(policy, 'rebind.example', 443, resolve);
  };
  const run = (lookup: ReturnType<typeof lookupWith>) =>
    new Promise<{ err: Error | null; address: string }>((r) =>
      lookup('rebind.example', {}, (err, address) => r({ err, address: address as string })),
    );

  it('checks every connect again, so a name that re-resolves to a private address is refused', async () => {
    const lookup = lookupWith([
      [{ address: '93.184.216.34', family: 4 }],
      [{ address: '127.0.0.1', family: 4 }],
    ]);
    expect(await run(lookup)).toEqual({ err: null, address: '93.184.216.34' });
    const second = await run(lookup);
    expect(second.err).toBeInstanceOf(EgressError);
    expect(second.err?.message).not.toContain('127.0.0.1');
  });

  it('refuses a mixed answer', async () => {
    const lookup = lookupWith([
      [
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    ]);
    expect((await run(lookup)).err).toBeInstanceOf(EgressError);
  });
});

describe('safeRequest', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.end('x'.repeat(10_000));
      } else if (req.url === '/redirect-to-ip') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` });
        res.end();
      } else if (req.url?.startsWith('/redirect?')) {
        const q = new URL(req.url, 'http://x').searchParams;
        res.writeHead(Number(q.get('status')), {
          location: `http://127.0.0.1:${q.get('to')}/landing`,
        });
        res.end();
      } else if (req.url === '/stall') {
        res.writeHead(200);
        res.write('partial');
      } else {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.end(JSON.stringify({ method: req.method, body })));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const opts = { timeoutMs: 2000, maxResponseBytes: 1000 };

  it('refuses loopback by default, before connecting', async () => {
    const policy = new EgressPolicy({ allowPrivate: false, allowlist: [] });
    await expect(safeRequest(policy, `http://127.0.0.1:${port}/ok`, opts)).rejects.toMatchObject({
      reason: 'blocked',
    });
    await expect(safeRequest(policy, `http://localhost:${port}/ok`, opts)).rejects.toBeInstanceOf(
      EgressError,
    );
  });

  it('reaches an allowlisted host and sends the body', async () => {
    const policy = new EgressPolicy({ allowPrivate: false, allowlist: ['localhost'] });
    const res = await safeRequest(policy, `http://localhost:${port}/echo`, {
      ...opts,
      method: 'POST',
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ method: 'POST', body: '{"a":1}' });
  });

  it('does not follow a redirect to a blocked address', async () => {
    const policy = new EgressPolicy({ allowPrivate: false, allowlist: ['localhost'] });
    await expect(
      safeRequest(policy, `http://localhost:${port}/redirect-to-ip`, opts),
    ).rejects.toMatchObject({ reason: 'blocked' });
  });

  it('caps the response size', async () => {
    const policy = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    await expect(safeRequest(policy, `http://127.0.0.1:${port}/big`, opts)).rejects.toMatchObject({
      reason: 'too_large',
    });
  });

  it('times out a stalled answer', async () => {
    const policy = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    await expect(
      safeRequest(policy, `http://127.0.0.1:${port}/stall`, { ...opts, timeoutMs: 200 }),
    ).rejects.toMatchObject({ reason: 'timeout' });
  });

  describe('redirects', () => {
    let other: http.Server;
    let otherPort: number;
    const seen: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    beforeAll(async () => {
      other = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          seen.push({ method: req.method, headers: req.headers, body });
          res.end('landed');
        });
      });
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
      otherPort = (other.address() as AddressInfo).port;
    });
    afterAll(async () => {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    });
    beforeEach(() => (seen.length = 0));

    const policy = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    const secretRequest = (status: number, method = 'POST') =>
      safeRequest(policy, `http://127.0.0.1:${port}/redirect?status=${status}&to=${otherPort}`, {
        ...opts,
        method,
        headers: {
          authorization: 'Bearer tool-secret',
          'x-api-key': 'k-secret',
          accept: 'application/json',
        },
        body: method === 'GET' ? undefined : '{"card":"4111"}',
      });

    it.each([301, 302, 303])(
      'a %s to another origin arrives as a GET without the headers or the body',
      async (status) => {
        const res = await secretRequest(status);
        expect(res.body.toString()).toBe('landed');
        expect(seen).toHaveLength(1);
        expect(seen[0].method).toBe('GET');
        expect(seen[0].body).toBe('');
        expect(seen[0].headers.authorization).toBeUndefined();
        expect(seen[0].headers['x-api-key']).toBeUndefined();
        expect(seen[0].headers.accept).toBe('application/json');
      },
    );

    it.each([307, 308])(
      'a %s to another origin that would resend the body is refused',
      async (status) => {
        await expect(secretRequest(status)).rejects.toMatchObject({ reason: 'redirects' });
        expect(seen).toHaveLength(0);
      },
    );

    it('a 307 of a GET to another origin drops the headers', async () => {
      await secretRequest(307, 'GET');
      expect(seen).toHaveLength(1);
      expect(seen[0].headers.authorization).toBeUndefined();
      expect(seen[0].headers['x-api-key']).toBeUndefined();
    });
  });

  it('refuses non-http schemes', async () => {
    const policy = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    await expect(safeRequest(policy, 'file:///etc/passwd', opts)).rejects.toMatchObject({
      reason: 'bad_url',
    });
  });
});
