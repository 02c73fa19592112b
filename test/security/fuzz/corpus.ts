import type { RawRequest } from '../support/raw-http';
import type { Fixtures } from '../support/security-gateway';
import { Prng } from './prng';

/**
 * A deterministic corpus of malformed requests: the same seed and fixtures give the same
 * requests, so a failure is replayed by re-running with the printed seed.
 *
 * Each request is a valid request to a management, completion or list route with one or two
 * things broken: a type, a null, a huge array, deep nesting, NUL bytes, lone surrogates or
 * control characters in a string, prototype-named keys, a bad id or cursor, the wrong method
 * or content type, an oversized header or body, or a body that is not JSON at all.
 */
export interface FuzzCase extends RawRequest {
  /** Position in the corpus and what was broken, for the failure report. */
  label: string;
  /** Built when sent, for bodies too big to keep in memory for the whole run. */
  lazyBody?: () => string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface JsonRoute {
  method: 'POST' | 'PATCH' | 'PUT';
  path: (fx: Fixtures) => string;
  body: (fx: Fixtures, rng: Prng) => JsonObject;
}

interface ListRoute {
  path: (fx: Fixtures) => string;
  /** Query parameters a valid request may carry. */
  params: (fx: Fixtures) => Record<string, string>;
}

interface IdRoute {
  method: string;
  /** `{id}` is replaced by the id under test. */
  template: string;
  prefix: string;
  valid: (fx: Fixtures) => string;
}

const uniq = (rng: Prng, base: string) => `${base}_${rng.int(0, 1e9).toString(36)}`;

const MESSAGES = (): Json => [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hello there' },
];

const JSON_ROUTES: JsonRoute[] = [
  {
    method: 'POST',
    path: () => '/api/v1/agents',
    body: (fx, rng) => ({
      name: uniq(rng, 'fz-agent'),
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'Help {{customer}}.',
      configuration: { temperature: 0.2, max_tokens: 64 },
      tool_ids: [fx.toolId],
      fallbacks: [{ service: 'anthropic', model: 'claude-haiku-4-5' }],
      cache_ttl: 60,
      rate_limit: { per_minute: 10, per_thread_per_minute: 5 },
      max_tool_iterations: 3,
    }),
  },
  {
    method: 'PATCH',
    path: (fx) => `/api/v1/agents/${fx.agentId}`,
    body: (fx) => ({
      prompt: 'Help {{customer}} kindly.',
      configuration: { temperature: 0.3 },
      tool_ids: [fx.toolId],
      cache_ttl: null,
      rate_limit: { per_minute: 100 },
    }),
  },
  {
    method: 'POST',
    path: () => '/api/v1/tools',
    body: (_fx, rng) => ({
      name: uniq(rng, 'fz_tool'),
      description: 'A fuzzed tool',
      url: 'https://tools.example.com/fuzz',
      method: 'POST',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', maxLength: 64 }, days: { type: 'integer' } },
        required: ['city'],
      },
      headers: { 'x-tool-key': 'secret-value' },
      timeout_ms: 5000,
    }),
  },
  {
    method: 'PATCH',
    path: (fx) => `/api/v1/tools/${fx.toolId}`,
    body: () => ({
      description: 'Weather for a city',
      timeout_ms: 4000,
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    }),
  },
  {
    method: 'POST',
    path: () => '/api/v1/api-keys',
    body: (_fx, rng) => ({
      name: uniq(rng, 'fz-key'),
      scopes: [],
      rate_limit: { per_minute: 10 },
      expires_at: '2030-01-01T00:00:00Z',
    }),
  },
  {
    method: 'PATCH',
    path: (fx) => `/api/v1/api-keys/${fx.apiKeyId}`,
    body: () => ({ name: 'sec-key', rate_limit: null, expires_at: null }),
  },
  {
    method: 'POST',
    path: () => '/api/v1/provider-keys',
    body: (_fx, rng) => ({
      service: rng.pick(['groq', 'gemini', 'openrouter']),
      api_key: 'sk-fuzz-0123456789',
    }),
  },
  {
    method: 'PATCH',
    path: (fx) => `/api/v1/provider-keys/${fx.providerKeyId}`,
    body: () => ({ api_key: 'sk-sec-0123456789' }),
  },
  {
    method: 'PUT',
    path: () => '/api/v1/settings',
    body: () => ({ error_webhook_url: null }),
  },
  {
    method: 'POST',
    path: () => '/v1/chat/completions',
    body: (_fx, rng) => ({
      model: 'openai/gpt-4o-mini',
      messages: MESSAGES(),
      temperature: 0.5,
      max_tokens: 32,
      stop: ['\n\n'],
      user: 'fuzz-user',
      ...(rng.chance(0.5)
        ? {
            tools: [
              {
                type: 'function',
                function: {
                  name: 'lookup',
                  description: 'Look something up',
                  parameters: { type: 'object', properties: { q: { type: 'string' } } },
                },
              },
            ],
            tool_choice: 'auto',
          }
        : {}),
    }),
  },
  {
    method: 'POST',
    path: () => '/api/v2/model/chat/completion',
    body: (fx, rng) => ({
      agent_id: fx.agentId,
      user: 'What is the weather?',
      thread_id: rng.pick([fx.threadId, 'fz-thread-2']),
      variables: { customer: 'Ada' },
      configuration: { temperature: 0.1 },
      cache: { ttl: 10 },
      ...(rng.chance(0.3) ? { response_format: { type: 'default' } } : {}),
    }),
  },
];

const LIST_ROUTES: ListRoute[] = [
  { path: () => '/api/v1/agents', params: () => ({ limit: '2' }) },
  { path: () => '/api/v1/tools', params: () => ({ limit: '2' }) },
  { path: () => '/api/v1/api-keys', params: () => ({ limit: '2' }) },
  { path: () => '/api/v1/provider-keys', params: () => ({ limit: '2' }) },
  { path: () => '/api/v1/call-logs', params: () => ({ limit: '2' }) },
  { path: () => '/api/v1/queue/dead-letters', params: () => ({ limit: '2' }) },
  {
    path: (fx) => `/api/v1/threads/${fx.threadId}/messages`,
    params: () => ({ limit: '1' }),
  },
  {
    path: () => '/api/v1/metrics/usage',
    params: () => ({
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-02T00:00:00Z',
      interval: '1 hour',
      group_by: 'model',
    }),
  },
];

const ID_ROUTES: IdRoute[] = [
  { method: 'GET', template: '/api/v1/agents/{id}', prefix: 'agt', valid: (fx) => fx.agentId },
  {
    method: 'DELETE',
    template: '/api/v1/agents/{id}',
    prefix: 'agt',
    valid: () => 'agt_missing0000',
  },
  { method: 'GET', template: '/api/v1/tools/{id}', prefix: 'tool', valid: (fx) => fx.toolId },
  {
    method: 'DELETE',
    template: '/api/v1/tools/{id}',
    prefix: 'tool',
    valid: () => 'tool_missing000',
  },
  { method: 'GET', template: '/api/v1/api-keys/{id}', prefix: 'key', valid: (fx) => fx.apiKeyId },
  {
    method: 'POST',
    template: '/api/v1/api-keys/{id}/revoke',
    prefix: 'key',
    valid: () => 'key_missing0000',
  },
  {
    method: 'GET',
    template: '/api/v1/provider-keys/{id}',
    prefix: 'pkey',
    valid: (fx) => fx.providerKeyId,
  },
  {
    method: 'GET',
    template: '/api/v2/model/jobs/{id}',
    prefix: 'job',
    valid: () => 'job_missing0000',
  },
  {
    method: 'POST',
    template: '/api/v1/queue/dead-letters/{id}/requeue',
    prefix: 'job',
    valid: () => 'job_missing0000',
  },
  {
    method: 'GET',
    template: '/api/v1/threads/{id}/messages',
    prefix: '',
    valid: (fx) => fx.threadId,
  },
  { method: 'DELETE', template: '/api/v1/threads/{id}', prefix: '', valid: () => 'fz-none' },
];

// --- hostile values -----------------------------------------------------------------------

const NUL = '\u0000';
const NASTY_STRINGS: readonly string[] = [
  `a${NUL}b`,
  NUL,
  `${NUL}${NUL}${NUL}`,
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\udc00\ud800',
  '\u0001\u0002\u0003\u001f\u007f',
  '\r\nX-Injected: 1',
  'line1\nline2\r',
  '\u202e\u2066evil\u2069',
  '\ufeffbom',
  '\uffff\ufffe',
  '%00%ff%',
  '../../../../etc/passwd',
  '{{customer}}{{__proto__}}{{constructor}}',
  '$where',
  '${jndi:ldap://x}',
  "'; DROP TABLE agents; --",
  '<script>alert(1)</script>',
  '',
  ' ',
  '\t',
  '😀'.repeat(100),
];

const PROTO_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  '$where',
  '$gt',
  'a.b',
  `k${NUL}`,
  '',
];

const SCALARS: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.0001,
  1e308,
  -1e308,
  2 ** 53 + 2,
  4294967296,
  '',
  'x',
  '0',
  'true',
  'null',
  '1e309',
  [],
  {},
  [null],
  [1, 'a', null],
  { a: 1 },
  { '': null },
];

/** Tokens spliced into the JSON text where JSON.stringify cannot produce them. */
const RAW = '\u0001RAW:';
const rawSplices = new Map<string, string>();
function rawToken(text: string): string {
  const token = `${RAW}${rawSplices.size}\u0001`;
  rawSplices.set(token, text);
  return token;
}

function deepText(rng: Prng, depth: number): string {
  const open = rng.pick(['[', '{"a":', '[{"x":']);
  const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
  return open.repeat(depth) + rng.pick(['1', 'null', '"deep"', '[]']) + close.repeat(depth);
}

function hugeArray(rng: Prng): Json[] {
  const size = rng.weighted<number>([
    [40, 1_000],
    [35, 5_000],
    [20, 20_000],
    [5, 100_000],
  ]);
  const element: Json = rng.pick<Json>([
    'tool_aaaaaaaaaaaa',
    { role: 'user', content: 'x' },
    { role: 'nobody' },
    { type: 'function', function: { name: 'f' } },
    1,
    null,
    'x',
  ]);
  return new Array<Json>(size).fill(element);
}

function hugeString(rng: Prng): string {
  const size = rng.pick([10_000, 100_000, 1_000_000]);
  return rng.pick(['a', 'é', '😀', ' ', NUL]).repeat(size).slice(0, size);
}

function hugeObject(rng: Prng): JsonObject {
  const size = rng.pick([1_000, 10_000, 50_000]);
  const out: JsonObject = {};
  for (let i = 0; i < size; i++) out[`k${i}`] = i;
  return out;
}

// --- where to mutate -------------------------------------------------------------------------

type Path = Array<string | number>;

function containers(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => containers(v, [...path, i], out));
    else for (const [k, v] of Object.entries(value)) containers(v, [...path, k], out);
  }
  return out;
}

function leaves(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, i], out));
    else for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
    if (path.length > 0) out.push(path);
  } else if (path.length > 0) {
    out.push(path);
  }
  return out;
}

function stringLeaves(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'string') out.push(path);
  else if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, [...path, i], out));
    else for (const [k, v] of Object.entries(value)) stringLeaves(v, [...path, k], out);
  }
  return out;
}

/** A leaf (or a nested container) to replace; a new root field when the body is empty. */
function pickLeaf(body: Json, rng: Prng): Path {
  const all = leaves(body);
  return all.length > 0 ? rng.pick(all) : ['extra'];
}

function setAt(root: Json, path: Path, value: Json): void {
  let node = root as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]] = value;
}

function getAt(root: Json, path: Path): Json {
  let node: Json = root;
  for (const key of path) node = (node as Record<string | number, Json>)[key];
  return node;
}

/** Adds an own property, even `__proto__` (a plain assignment would set the prototype). */
function defineKey(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// --- body mutations ----------------------------------------------------------------------------

type BodyMutation = (body: JsonObject, rng: Prng) => string;

const BODY_MUTATIONS: ReadonlyArray<readonly [number, BodyMutation]> = [
  [
    20,
    function typeConfusion(body, rng) {
      const path = pickLeaf(body, rng);
      setAt(body, path, rng.pick(SCALARS));
      return `type confusion at ${path.join('.')}`;
    },
  ],
  [
    12,
    function nullField(body, rng) {
      const path = pickLeaf(body, rng);
      setAt(body, path, null);
      return `null at ${path.join('.')}`;
    },
  ],
  [
    10,
    function hugeArrayField(body, rng) {
      const path = pickLeaf(body, rng);
      setAt(body, path, hugeArray(rng));
      return `huge array at ${path.join('.')}`;
    },
  ],
  [
    4,
    function hugeObjectField(body, rng) {
      const path = pickLeaf(body, rng);
      setAt(body, path, hugeObject(rng));
      return `huge object at ${path.join('.')}`;
    },
  ],
  [
    5,
    function hugeStringField(body, rng) {
      const path = pickLeaf(body, rng);
      setAt(body, path, hugeString(rng));
      return `huge string at ${path.join('.')}`;
    },
  ],
  [
    10,
    function deepNesting(body, rng) {
      const path = pickLeaf(body, rng);
      const depth = rng.weighted<number>([
        [20, 64],
        [20, 300],
        [25, 1_000],
        [25, 4_000],
        [10, 20_000],
      ]);
      setAt(body, path, rawToken(deepText(rng, depth)));
      return `nesting depth ${depth} at ${path.join('.')}`;
    },
  ],
  [
    16,
    function nastyString(body, rng) {
      const strings = stringLeaves(body);
      const path = strings.length > 0 ? rng.pick(strings) : pickLeaf(body, rng);
      const nasty = rng.pick(NASTY_STRINGS);
      const current = getAt(body, path);
      setAt(body, path, typeof current === 'string' && rng.chance(0.5) ? current + nasty : nasty);
      return `nasty string ${JSON.stringify(nasty).slice(0, 40)} at ${path.join('.')}`;
    },
  ],
  [
    12,
    function protoKey(body, rng) {
      const objects = containers(body).filter((p) => !Array.isArray(getAt(body, p)));
      const path = rng.pick(objects);
      const key = rng.pick(PROTO_KEYS);
      defineKey(getAt(body, path) as JsonObject, key, rng.pick(SCALARS));
      return `key ${JSON.stringify(key)} in ${path.join('.') || '(root)'}`;
    },
  ],
  [
    6,
    function dropField(body, rng) {
      const keys = Object.keys(body);
      const key = rng.pick(keys);
      delete body[key];
      return `without ${key}`;
    },
  ],
  [
    5,
    function unknownField(body, rng) {
      body[rng.pick(['extra', 'org_id', 'id', 'created_at', 'is_admin'])] = rng.pick(SCALARS);
      return 'unknown field';
    },
  ],
];

const BIG = new Set(['hugeArrayField', 'hugeObjectField', 'hugeStringField', 'deepNesting']);
const SMALL_MUTATIONS = BODY_MUTATIONS.filter(([, m]) => !BIG.has(m.name));

function serialise(body: Json): string {
  let text = JSON.stringify(body);
  for (const [token, raw] of rawSplices) {
    const quoted = JSON.stringify(token);
    if (text.includes(quoted)) text = text.split(quoted).join(raw);
  }
  rawSplices.clear();
  return text;
}

// --- whole-request mutations ---------------------------------------------------------------

const GARBAGE_BODIES: ReadonlyArray<(rng: Prng) => Buffer | string> = [
  () => '',
  () => '{',
  () => '{"name":',
  () => '{"a":1,}',
  () => "{'a':1}",
  () => 'null',
  () => 'true',
  () => '42',
  () => '"just a string"',
  () => '[]',
  () => '[{"role":"user"}]',
  () => '{"a":1}{"b":2}',
  () => '{"a":1,"a":2,"a":{"b":3}}',
  () => '{"x":1e999999}',
  () => '{"x":-}',
  () => `{"x":${'9'.repeat(5000)}}`,
  () => '\ufeff{"name":"bom"}',
  () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
  () => Buffer.from('{"name":"\xc3\x28"}', 'latin1'),
  () => Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  () => Buffer.from('{"name":"caf\xe9"}', 'latin1'),
  (rng) => '['.repeat(rng.pick([10_000, 100_000])),
  () => '{"__proto__":{"admin":true}}',
  () => '{"constructor":{"prototype":{"admin":true}}}',
  () => '{"a":"\\u0000"}',
  () => '{"a":"\\ud800"}',
  () => '{"a":"\\x00"}',
  () => ' \n\t ',
  () => `{${'"k":1,'.repeat(10_000)}"k":2}`,
];

const CONTENT_TYPES: readonly string[] = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;;;;',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'json',
  '*/*',
  '',
  'application/json, text/plain',
  'text/html; charset=utf-8',
];

const METHODS: readonly string[] = [
  'GET',
  'PUT',
  'PATCH',
  'DELETE',
  'POST',
  'OPTIONS',
  'HEAD',
  'PROPFIND',
  'TRACE',
  'SEARCH',
  'PURGE',
];

const BAD_IDS: ReadonlyArray<(prefix: string, rng: Prng) => string> = [
  () => '%00',
  (p) => `${p}_%00abcdefgh`,
  () => '%E0%A4%A',
  () => '%',
  () => '%zz',
  () => '%ED%A0%80',
  () => '%C0%AF',
  () => '..%2F..%2Fetc',
  () => '%2e%2e',
  (p) => `${p}_${'a'.repeat(65)}`,
  (p) => `${p}_${'a'.repeat(5000)}`,
  (p) => `${p}_short`,
  () => 'null',
  () => 'undefined',
  () => '__proto__',
  () => 'constructor',
  () => '-1',
  () => '1e999',
  (p) => `${p}_abcdefgh%20`,
  (p) => `${p.toUpperCase()}_abcdefghij`,
  () => '%F0%9F%98%80',
  () => "'%20OR%201=1",
  () => '%7B%22%24gt%22%3A%22%22%7D',
  (p, rng) => `${p}_${rng.int(0, 1e9).toString(36).padEnd(10, 'x')}`,
];

const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

const BAD_CURSORS: ReadonlyArray<() => string> = [
  () => 'garbage!',
  () => '',
  () => '%00',
  () => encodeCursor(['2026-01-01T00:00:00.000Z', `a${NUL}b`]),
  () => encodeCursor([`2026${NUL}`, 'a']),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', 'xch_a', 1e308]),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', 'xch_a', -1]),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', 'xch_a', 2 ** 31]),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', 'xch_a', 1.5]),
  () => encodeCursor(['-271821-04-20T00:00:00.000Z', 'a']),
  () => encodeCursor(['+275760-09-13T00:00:00.000Z', 'a']),
  () => encodeCursor(['-004713-01-01T00:00:00.000Z', 'a']),
  () => encodeCursor(['0000-01-01T00:00:00.000Z', 'a']),
  () => encodeCursor(['12345', 'a']),
  () => encodeCursor([0, 'a']),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', '\ud800']),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', 'a'.repeat(700)]),
  () => encodeCursor({ a: 1 }),
  () => encodeCursor(null),
  () => encodeCursor([]),
  () => encodeCursor(['2026-01-01T00:00:00.000Z', { $gt: '' }]),
  () => 'W10'.repeat(400),
  () => 'a'.repeat(2000),
];

const BAD_LIMITS: readonly string[] = [
  '-1',
  '0',
  '1e9',
  '201',
  'abc',
  '1.5',
  'NaN',
  'Infinity',
  '%00',
  '',
  '9'.repeat(400),
  '0x10',
];

const BAD_USAGE_PARAMS: ReadonlyArray<readonly [string, string]> = [
  ['from', '0001-01-01T00:00:00Z'],
  ['from', '-271821-04-20T00:00:00Z'],
  ['to', '9999-12-31T23:59:59Z'],
  ['to', '+275760-09-13T00:00:00Z'],
  ['from', '2026-02-30T00:00:00Z'],
  ['from', '2026-01-01T00:00:00'],
  ['from', '2026-01-01T00:00:00+99:99'],
  ['interval', '1 second'],
  ['interval', '0 hours'],
  ['interval', `1 hour${NUL}`],
  ['group_by', 'org_id'],
  ['group_by', '__proto__'],
  ['from', `2026-01-01T00:00:00Z${NUL}`],
];

const HEADER_ATTACKS: ReadonlyArray<(rng: Prng, fx: Fixtures) => Record<string, string>> = [
  () => ({ 'x-padding': 'a'.repeat(20_000) }),
  () => ({ 'x-padding': 'a'.repeat(70_000) }),
  () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) many[`x-h${i}`] = 'v';
    return many;
  },
  () => ({ authorization: 'Bearer ' + 'a'.repeat(9000) }),
  () => ({ authorization: 'Bearer a.b.c' }),
  () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }),
  () => ({ authorization: 'Bearer' }),
  () => ({ authorization: 'bearer  ' }),
  () => ({ 'x-api-key': 'gw_' + 'z'.repeat(300) }),
  () => ({ 'x-request-id': 'a'.repeat(500) }),
  () => ({ 'x-request-id': '../../etc' }),
  () => ({ 'x-thread-id': 'ÿþ\u00ad' }),
  () => ({ 'x-thread-id': 'x'.repeat(5000) }),
  () => ({ 'x-cache-ttl': '-1' }),
  () => ({ 'x-cache-ttl': '1e309' }),
  () => ({ 'x-cache-ttl': 'abc' }),
  () => ({ 'idempotency-key': '\u00ff'.repeat(300) }),
  () => ({ 'cache-control': 'no-cache, '.repeat(500) }),
  () => ({ 'content-length': '-1' }),
  () => ({ 'transfer-encoding': 'chunked, gzip' }),
  () => ({ 'content-encoding': 'gzip' }),
  () => ({ expect: '100-continue' }),
];

/** The auth a case carries: mostly a valid admin, sometimes a reader, another org or nothing. */
function authFor(rng: Prng, fx: Fixtures): Record<string, string> {
  return rng.weighted<Record<string, string>>([
    [88, { authorization: `Bearer ${fx.adminToken}` }],
    [5, { authorization: `Bearer ${fx.userToken}` }],
    [4, { authorization: `Bearer ${fx.otherOrgToken}` }],
    [3, {}],
  ]);
}

const JSON_TYPE = { 'content-type': 'application/json' };

function jsonBodyCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(JSON_ROUTES);
  const body = route.body(fx, rng);
  const whats: string[] = [];
  // A second mutation comes first and is a small one: walking (or growing) a huge value again
  // would only make the corpus slow to build.
  if (rng.chance(0.25)) whats.push(rng.weighted(SMALL_MUTATIONS)(body, rng));
  whats.push(rng.weighted(BODY_MUTATIONS)(body, rng));
  return {
    method: route.method,
    path: route.path(fx),
    headers: { ...authFor(rng, fx), ...JSON_TYPE },
    body: serialise(body),
    what: whats.join(' + '),
  };
}

function garbageBodyCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(JSON_ROUTES);
  const i = rng.int(0, GARBAGE_BODIES.length - 1);
  return {
    method: route.method,
    path: route.path(fx),
    headers: { ...authFor(rng, fx), ...JSON_TYPE },
    body: GARBAGE_BODIES[i](rng),
    what: `garbage body #${i}`,
  };
}

function contentTypeCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(JSON_ROUTES);
  const type = rng.pick(CONTENT_TYPES);
  const headers: Record<string, string> = { ...authFor(rng, fx) };
  if (type !== '' || rng.chance(0.5)) headers['content-type'] = type;
  const body = rng.chance(0.7) ? JSON.stringify(route.body(fx, rng)) : 'name=x&service=openai';
  return {
    method: route.method,
    path: route.path(fx),
    headers,
    body,
    what: `content-type ${JSON.stringify(type)}`,
  };
}

function methodCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const all = [
    ...JSON_ROUTES.map((r) => r.path(fx)),
    ...LIST_ROUTES.map((r) => r.path(fx)),
    '/health/live',
    '/metrics',
    '/v1/models',
  ];
  const method = rng.pick(METHODS);
  const withBody = method !== 'GET' && method !== 'HEAD' && rng.chance(0.5);
  return {
    method,
    path: rng.pick(all),
    headers: { ...authFor(rng, fx), ...(withBody ? JSON_TYPE : {}) },
    body: withBody ? '{}' : undefined,
    what: `method ${method}`,
  };
}

function idCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(ID_ROUTES);
  const bad = rng.pick(BAD_IDS)(route.prefix || 'thread', rng);
  const id = rng.chance(0.1) ? route.valid(fx) : bad;
  return {
    method: route.method,
    path: route.template.replace('{id}', id),
    headers: authFor(rng, fx),
    what: `id ${id.slice(0, 40)}`,
  };
}

function queryCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(LIST_ROUTES);
  const params = new URLSearchParams(route.params(fx));
  let what: string;
  const kind = rng.int(0, 4);
  if (kind === 0) {
    params.set('cursor', rng.pick(BAD_CURSORS)());
    what = 'bad cursor';
  } else if (kind === 1) {
    params.set('limit', rng.pick(BAD_LIMITS));
    what = 'bad limit';
  } else if (kind === 2) {
    const [k, v] = rng.pick(BAD_USAGE_PARAMS);
    params.set(k, v);
    what = `bad ${k}`;
  } else if (kind === 3) {
    params.append('limit', '3');
    params.append('cursor', 'a');
    params.append('cursor', 'b');
    what = 'repeated params';
  } else {
    params.set(
      rng.pick(['__proto__', 'constructor', 'sub_thread_id', 'x', 'limit[]']),
      rng.pick(NASTY_STRINGS),
    );
    what = 'nasty param';
  }
  // Raw percent-encoding mistakes on top, sometimes.
  const query =
    params.toString() + (rng.chance(0.1) ? rng.pick(['&%', '&a=%zz', '&%E0%A4%A=1', '&=']) : '');
  return { method: 'GET', path: `${route.path(fx)}?${query}`, headers: authFor(rng, fx), what };
}

function headerCase(rng: Prng, fx: Fixtures): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(JSON_ROUTES);
  const i = rng.int(0, HEADER_ATTACKS.length - 1);
  return {
    method: route.method,
    path: route.path(fx),
    headers: { ...authFor(rng, fx), ...JSON_TYPE, ...HEADER_ATTACKS[i](rng, fx) },
    body: JSON.stringify(route.body(fx, rng)),
    what: `header attack #${i}`,
  };
}

function oversizedBodyCase(
  rng: Prng,
  fx: Fixtures,
  bodyLimit: number,
): Omit<FuzzCase, 'label'> & { what: string } {
  const route = rng.pick(JSON_ROUTES);
  const size = bodyLimit + rng.pick([1, 1024]);
  return {
    method: route.method,
    path: route.path(fx),
    headers: { ...authFor(rng, fx), ...JSON_TYPE },
    lazyBody: () => `{"name":"${'a'.repeat(size)}"}`,
    what: `body over the limit (${size} bytes)`,
  };
}

export interface CorpusOptions {
  seed: number;
  size: number;
  fx: Fixtures;
  bodyLimit: number;
}

/** The corpus for `seed`: `size` cases, always the same ones for the same seed and fixtures. */
export function buildCorpus({ seed, size, fx, bodyLimit }: CorpusOptions): FuzzCase[] {
  const rng = new Prng(seed);
  const out: FuzzCase[] = [];
  for (let i = 0; i < size; i++) {
    const make = rng.weighted<(r: Prng, f: Fixtures) => Omit<FuzzCase, 'label'> & { what: string }>(
      [
        [52, jsonBodyCase],
        [8, garbageBodyCase],
        [6, contentTypeCase],
        [5, methodCase],
        [11, idCase],
        [11, queryCase],
        [6, headerCase],
        [1, (r, f) => oversizedBodyCase(r, f, bodyLimit)],
      ],
    );
    const { what, ...req } = make(rng, fx);
    out.push({ ...req, label: `#${i} ${what}` });
  }
  return out;
}
