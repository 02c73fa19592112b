import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { EgressError, EgressPolicy, isNonPublicAddress } from '../../../common/egress';
import { createNodeFetch } from './node-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that counts the TCP connections it accepted. */
async function serve(
  handler: Handler,
): Promise<{ url: string; server: Server; connections: () => number }> {
  let connections = 0;
  const server = createServer({ keepAlive: true }, handler);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, connections: () => connections };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('createNodeFetch', () => {
  const fetch = createNodeFetch();
  let srv: Awaited<ReturnType<typeof serve>>;
  let bodies: string[];

  beforeAll(async () => {
    bodies = [];
    srv = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        switch (req.url) {
          case '/json':
            res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
            res.end(JSON.stringify({ echo: body, auth: req.headers.authorization ?? null }));
            return;
          case '/gzip':
            res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
            res.end(
              gzipSync(JSON.stringify({ zipped: true, accept: req.headers['accept-encoding'] })),
            );
            return;
          case '/sse':
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write('data: one\n\n');
            res.end('data: two\n\n');
            return;
          case '/empty':
            res.writeHead(204);
            res.end();
            return;
          case '/bad':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{not json');
            return;
          case '/stall':
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write('data: first\n\n');
            return; // never ends: the client aborts
          case '/hang':
            return; // never answers
          default:
            res.writeHead(404);
            res.end();
        }
      });
    });
  });

  afterAll(() => close(srv.server));

  it('sends method, headers and body, and hands back status, headers and JSON', async () => {
    const res = await fetch(`${srv.url}/json`, {
      method: 'post',
      headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }),
      body: '{"a":1}',
    });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(await res.json()).toEqual({ echo: '{"a":1}', auth: 'Bearer k' });
  });

  it('reuses one kept-alive connection for requests in sequence', async () => {
    const before = srv.connections();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${srv.url}/json`, { method: 'POST', body: `${i}` });
      await res.text();
    }
    expect(srv.connections() - before).toBeLessThanOrEqual(1);
  });

  it('asks for compression and decodes it, dropping the encoding headers', async () => {
    const res = await fetch(`${srv.url}/gzip`);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ zipped: true, accept: 'gzip, deflate, br' });
  });

  it('streams event streams through an async-iterable body', async () => {
    const res = await fetch(`${srv.url}/sse`);
    const body = res.body as unknown as AsyncIterable<Buffer>;
    let text = '';
    for await (const chunk of body) text += chunk.toString();
    expect(text).toBe('data: one\n\ndata: two\n\n');
  });

  it('gives a null body for 204', async () => {
    const res = await fetch(`${srv.url}/empty`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('rejects invalid JSON with a SyntaxError, as fetch does', async () => {
    const res = await fetch(`${srv.url}/bad`);
    await expect(res.json()).rejects.toBeInstanceOf(SyntaxError);
  });

  it('rejects with an AbortError when the signal aborts before the answer', async () => {
    const ac = new AbortController();
    const pending = fetch(`${srv.url}/hang`, { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ends a started stream with an AbortError when the signal aborts', async () => {
    const ac = new AbortController();
    const res = await fetch(`${srv.url}/stall`, { signal: ac.signal });
    const it = (res.body as unknown as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    expect((await it.next()).value?.toString()).toBe('data: first\n\n');
    ac.abort();
    await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("reports connection failures as fetch does: TypeError('fetch failed') with the cause", async () => {
    const gone = await serve(() => undefined);
    const url = gone.url;
    await close(gone.server);
    const err: unknown = await fetch(`${url}/json`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });
});

describe('createNodeFetch with an egress policy (tenant endpoints)', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  let hits = 0;
  beforeAll(async () => {
    srv = await serve((req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"internal":true}');
    });
  });
  afterAll(() => close(srv.server));

  const port = () => Number(new URL(srv.url).port);
  const causeOf = (e: unknown) => (e as { cause?: unknown }).cause;

  it.each([
    ['an IP literal', () => `${srv.url}/v1/chat/completions`],
    ['a loopback name', () => `http://localhost:${port()}/v1/chat/completions`],
    ['a hex IPv4 literal', () => `http://0x7f000001:${port()}/v1`],
  ])(
    'refuses %s without connecting, as a fetch failure caused by an EgressError',
    async (_n, url) => {
      const fetch = createNodeFetch({
        egress: new EgressPolicy({ allowPrivate: false, allowlist: [] }),
      });
      const before = hits;
      const err: unknown = await fetch(url(), { method: 'POST', body: '{}' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TypeError);
      expect(causeOf(err)).toBeInstanceOf(EgressError);
      expect(hits).toBe(before);
    },
  );

  it('refuses a host name that resolves to a private address, at connect time', async () => {
    const name = hostname();
    const resolved = await lookup(name).catch(() => undefined);
    if (!resolved || !isNonPublicAddress(resolved.address)) {
      console.log(`[skip] ${name} does not resolve to a private address on this machine`);
      return;
    }
    const fetch = createNodeFetch({
      egress: new EgressPolicy({ allowPrivate: false, allowlist: [] }),
    });
    const before = hits;
    const err: unknown = await fetch(`http://${name}:${port()}/v1`).catch((e: unknown) => e);
    expect(causeOf(err)).toMatchObject({ reason: 'blocked' });
    expect(hits).toBe(before);
  });

  it('reaches a destination the policy allowlists (with its port)', async () => {
    const fetch = createNodeFetch({
      egress: new EgressPolicy({ allowPrivate: false, allowlist: [`127.0.0.1:${port()}`] }),
    });
    const res = await fetch(`${srv.url}/v1`);
    expect(await res.json()).toEqual({ internal: true });
  });

  it('never hands a tenant request to the unchecked global fetch', async () => {
    const fetch = createNodeFetch({
      egress: new EgressPolicy({ allowPrivate: true, allowlist: [] }),
    });
    const err: unknown = await fetch(new Request(`${srv.url}/v1`)).catch((e: unknown) => e);
    expect(causeOf(err)).toBeInstanceOf(EgressError);
  });
});
