/** The mock's own routes under `/__mock/`: health, recorded requests, clearing them. */
import type * as http from 'node:http';
import type { CredentialFailure, MockState } from './recording';

export function handleControl(
  state: MockState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  query: string,
  body?: Buffer | null,
): void {
  const json = (status: number, body: unknown): void => {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  };
  const q = new URLSearchParams(query);
  const key = q.get('key') ?? undefined;
  if (path === '/__mock/health' && req.method === 'GET') {
    return json(200, { status: 'ok', recording: state.record, recorded: state.recorded.length });
  }
  if (path === '/__mock/requests' && req.method === 'GET') {
    return json(200, state.filter({ key, path: q.get('path') ?? undefined }));
  }
  if (path === '/__mock/requests' && req.method === 'DELETE') {
    return json(200, { cleared: state.clear(key) });
  }
  // Per-API-key failures: PUT {"credential","status","retry_after"?,"retry_after_ms"?}, DELETE ?credential=.
  if (path === '/__mock/credential-failures' && req.method === 'PUT') {
    const f = parseFailure(body);
    if (typeof f === 'string') return json(400, { error: { message: `mock: ${f}` } });
    state.credentialFailures.set(f.credential, f.failure);
    return json(200, { failing: state.credentialFailures.size });
  }
  if (path === '/__mock/credential-failures' && req.method === 'DELETE') {
    const credential = q.get('credential');
    if (credential === null) state.credentialFailures.clear();
    else state.credentialFailures.delete(credential);
    return json(200, { failing: state.credentialFailures.size });
  }
  json(404, {
    error: {
      message: `Invalid URL (${req.method ?? 'GET'} ${path})`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

/** A credential-failure body, or what is wrong with it. */
function parseFailure(
  raw: Buffer | null | undefined,
): { credential: string; failure: CredentialFailure } | string {
  let v: unknown;
  try {
    v = JSON.parse(raw?.toString('utf8') ?? '');
  } catch {
    return 'body must be JSON';
  }
  if (typeof v !== 'object' || v === null) return 'body must be a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.credential !== 'string' || o.credential === '')
    return '"credential" must be a string';
  const status = o.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
    return '"status" must be an integer from 400 to 599';
  const failure: CredentialFailure = { status };
  for (const k of ['retry_after', 'retry_after_ms'] as const) {
    const n = o[k];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
      return `"${k}" must be a number >= 0`;
    failure[k] = n;
  }
  return { credential: o.credential, failure };
}
