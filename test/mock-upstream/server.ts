/**
 * Mock LLM upstream: speaks the OpenAI chat-completions and the Anthropic Messages wire formats
 * (JSON bodies, SSE framing, headers, error bodies) so the official `openai` and
 * `@anthropic-ai/sdk` clients can be pointed at it with only their base URL changed.
 *
 * Dependency-free (node:http only). Behaviour is steered per request by directives, either
 * `x-mock-<name>` request headers or a `#mock{...json...}` block embedded in the text of the last
 * user message (see README.md). The only state shared between requests is the fail-first counter
 * per directive `key` and, when recording is on, the list of recorded requests.
 *
 * Layout: this file is the HTTP server, routing and the public API; `directives.ts` parses the
 * directives, `recording.ts` keeps the recorded requests, `openai-request.ts` /
 * `anthropic-request.ts` read a request into `chat-input.ts`'s neutral view, `answer.ts` decides
 * the answer, `openai-wire.ts` / `anthropic-wire.ts` write it (JSON and SSE), `stream.ts` applies
 * the stream directives, `chat.ts` ties them together, `control.ts` serves `/__mock/*`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleChat, handleModels } from './chat';
import { handleControl } from './control';
import { handleEmbeddings } from './embeddings';
import {
  type CredentialFailure,
  flattenHeaders,
  MockState,
  type RecordedRequest,
  type RequestFilter,
} from './recording';
import { sendError, type Ctx } from './respond';
import { nextId, type Provider } from './shared';

// ---------------------------------------------------------------------------------------------
// Public API (every name tests import from `test/mock-upstream/server`)
// ---------------------------------------------------------------------------------------------

export type { CredentialFailure, RecordedRequest, RequestFilter } from './recording';
export {
  extractDirective,
  mockDirective,
  MOCK_DIRECTIVE_MARK,
  type MockDirectives,
  type MockToolCall,
} from './directives';
export { MOCK_OPENAI_MODELS } from './openai-wire';
export { MOCK_ANTHROPIC_MODELS } from './anthropic-wire';
export { splitText } from './chunking';

export interface MockUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Record requests (default true). Turn off for load benchmarks. */
  record?: boolean;
  /** Keep at most this many recorded requests, dropping the oldest (default 10000). */
  maxRecorded?: number;
}

export interface MockUpstream {
  /** e.g. `http://127.0.0.1:PORT` (no trailing slash, no `/v1`). */
  url: string;
  port: number;
  requests(filter?: RequestFilter): RecordedRequest[];
  /** Forget recorded requests and fail-first counters (only those of `key` when given). */
  clear(filter?: { key?: string }): void;
  /**
   * Resolves with the first recorded request (already recorded or future) matching `predicate`,
   * re-checked whenever a request is recorded, answered or aborted. Rejects after `timeoutMs`
   * (default 5000). Lets tests wait for an event (e.g. `aborted: true`) without sleeping.
   */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /**
   * Every chat request presenting this API key (bearer token or `x-api-key`) is answered with
   * `failure.status` in the provider's error format (plus Retry-After when given) until
   * `restoreCredential`. Lets a test fail one key of a pool while the others answer.
   */
  failCredential(apiKey: string, failure: CredentialFailure): void;
  restoreCredential(apiKey: string): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else parts.push(c);
    });
    req.on('end', () =>
      resolve(tooLarge ? null : parts.length === 1 ? parts[0] : Buffer.concat(parts)),
    );
    req.on('error', reject);
  });
}

async function handle(
  state: MockState,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const path = qi === -1 ? url : url.slice(0, qi);
  const method = req.method ?? 'GET';

  let raw: Buffer | null = null;
  if (method !== 'GET' && method !== 'HEAD') raw = await readBody(req);
  if (path.startsWith('/__mock/')) {
    return handleControl(state, req, res, path, qi === -1 ? '' : url.slice(qi + 1), raw);
  }

  let route: 'chat' | 'count' | 'models' | 'none' = 'none';
  let provider: Provider = 'openai';
  if (method === 'POST' && path.endsWith('/chat/completions')) route = 'chat';
  else if (method === 'POST' && path.endsWith('/messages/count_tokens')) {
    route = 'count';
    provider = 'anthropic';
  } else if (method === 'POST' && path.endsWith('/messages')) {
    route = 'chat';
    provider = 'anthropic';
  } else if (method === 'GET' && path.endsWith('/models')) {
    route = 'models';
    if (req.headers['anthropic-version'] !== undefined) provider = 'anthropic';
  }

  let body: unknown;
  let badJson = false;
  if (raw && raw.length) {
    const text = raw.toString('utf8');
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
      badJson = true;
    }
  }

  const ctx: Ctx = {
    req,
    res,
    provider,
    requestId: `req_${provider === 'anthropic' ? '011C' : ''}${nextId()}`,
    started: Date.now(),
    closed: false,
  };
  if (state.record) {
    ctx.rec = { method, path, headers: flattenHeaders(req.headers), body, at: ctx.started };
    state.add(ctx.rec);
  }
  res.on('close', () => {
    ctx.closed = true;
    if (!res.writableFinished && ctx.rec) {
      ctx.rec.aborted = true;
      state.notify(ctx.rec);
    }
  });

  if (raw === null && method !== 'GET' && method !== 'HEAD') {
    return sendError(state, ctx, 413, 'Request exceeds the maximum allowed number of bytes.');
  }
  if (method === 'POST' && path.endsWith('/embeddings'))
    return handleEmbeddings(res, badJson ? undefined : body, ctx.requestId);
  if (route === 'none') {
    return sendError(state, ctx, 404, `Invalid URL (${method} ${path})`, { code: null });
  }
  if (route === 'models') return handleModels(state, ctx);
  return handleChat(state, ctx, badJson ? undefined : body, route === 'count');
}

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const state = new MockState(opts.record ?? true, opts.maxRecorded ?? 10000);
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(state, req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const payload = JSON.stringify({
        error: {
          message: `mock internal error: ${(e as Error).message}`,
          type: 'server_error',
          param: null,
          code: null,
        },
      });
      res.writeHead(500, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: (filter) => state.filter(filter),
    clear: (filter) => {
      state.clear(filter?.key);
    },
    waitFor: (predicate, timeoutMs = 5000) => state.waitFor(predicate, timeoutMs),
    failCredential: (apiKey, failure) => {
      state.credentialFailures.set(apiKey, failure);
    },
    restoreCredential: (apiKey) => {
      state.credentialFailures.delete(apiKey);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
