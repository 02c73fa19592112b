import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** One request exactly as an attacker would send it: any method, raw path, raw body bytes. */
export interface RawRequest {
  method: string;
  /** Sent as is (percent-encoding, dot segments and all); must not contain spaces or CR/LF. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * node:http rather than fetch: fetch normalises paths, refuses some methods and headers, and
 * always sets a content-type for string bodies, which would hide exactly what is being tested.
 */
export function sendRaw(
  baseUrl: string,
  req: RawRequest,
  opts: { agent?: Agent; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body =
      req.body === undefined
        ? undefined
        : Buffer.isBuffer(req.body)
          ? req.body
          : Buffer.from(req.body);
    const headers: Record<string, string> = { ...req.headers };
    if (
      body !== undefined &&
      !hasHeader(headers, 'content-length') &&
      !hasHeader(headers, 'transfer-encoding')
    ) {
      headers['content-length'] = String(body.length);
    }
    const r = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers,
        agent: opts.agent,
        // The gateway must answer oversized headers itself (431); the client must be able to send them.
        maxHeaderSize: 1024 * 1024,
        insecureHTTPParser: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(opts.timeoutMs ?? 30_000, () =>
      r.destroy(new Error(`no response within ${opts.timeoutMs ?? 30_000} ms`)),
    );
    r.on('error', reject);
    r.end(body);
  });
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

export interface SocketExchange {
  /** Everything the server wrote before it closed the connection (or before `end`). */
  received: string;
  /** True when the server closed the connection. */
  closedByServer: boolean;
}

/**
 * Writes raw bytes on a fresh TCP connection and collects what comes back until the server
 * closes it, or until `idleMs` without data after the last write (for servers that keep
 * the connection open after answering).
 */
export function exchangeRaw(
  baseUrl: string,
  bytes: Buffer | string,
  opts: { waitForCloseMs?: number } = {},
): Promise<SocketExchange> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks).toString('latin1'), closedByServer });
    };
    const timer = setTimeout(() => finish(false), opts.waitForCloseMs ?? 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (e) => (chunks.length > 0 ? finish(true) : reject(e)));
    socket.write(bytes);
  });
}

/** Splits a raw HTTP/1.1 response into status, lower-cased headers and body. */
export function parseRawResponse(raw: string): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (!raw.startsWith('HTTP/1.1 ') || end < 0) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text: raw.slice(end + 4) };
}

export interface Dribble {
  /** What the server wrote before it closed the connection. */
  received: string;
  closedByServer: boolean;
  /** Bytes of `bytes` written before the server closed the connection. */
  written: number;
}

/**
 * The slow-client attack: writes `head` at once, then `bytes` one byte every `everyMs`, and
 * stops when the server closes the connection or everything was written. Gives up (closed:
 * false) after `giveUpMs`.
 */
export function dribble(
  baseUrl: string,
  head: string,
  bytes: string,
  opts: { everyMs: number; giveUpMs: number },
): Promise<Dribble> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let written = 0;
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(pacer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks).toString('latin1'), closedByServer, written });
    };
    const pacer = setInterval(() => {
      if (written < bytes.length && socket.writable) socket.write(bytes[written++]);
    }, opts.everyMs);
    const giveUp = setTimeout(() => finish(false), opts.giveUpMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => finish(true));
    socket.on('error', (e) => (settled ? undefined : chunks.length > 0 ? finish(true) : reject(e)));
    socket.write(head);
  });
}
