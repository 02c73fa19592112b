/** The mock's own routes under `/__mock/`: health, recorded requests, clearing them. */
import type * as http from 'node:http';
import type { MockState } from './recording';

export function handleControl(
  state: MockState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  query: string,
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
  json(404, {
    error: {
      message: `Invalid URL (${req.method ?? 'GET'} ${path})`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}
