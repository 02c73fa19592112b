import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressError, EgressPolicy, isNonPublicAddress, safeRequest } from './index';

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
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('allows %s', (ip) =>
    expect(isNonPublicAddress(ip)).toBe(false),
  );
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

  it('refuses non-http schemes', async () => {
    const policy = new EgressPolicy({ allowPrivate: true, allowlist: [] });
    await expect(safeRequest(policy, 'file:///etc/passwd', opts)).rejects.toMatchObject({
      reason: 'bad_url',
    });
  });
});
