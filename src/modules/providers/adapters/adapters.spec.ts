import { ClientPool } from '../client-pool';
import type { ChatRequest } from '../provider.types';
import { ADAPTERS, AdapterRegistry } from './adapter.registry';
import { GeminiAdapter } from './openai-compatible/gemini.adapter';
import { GroqAdapter } from './openai-compatible/groq.adapter';
import { MistralAdapter } from './openai-compatible/mistral.adapter';
import { OpenAIAdapter } from './openai-compatible/openai.adapter';
import { OpenRouterAdapter } from './openai-compatible/openrouter.adapter';

const pool = new ClientPool();
const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  service: 'openai',
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('adapter registry', () => {
  it('has one adapter per service, each with its documented base URL', () => {
    const registry = new AdapterRegistry(pool);
    expect(Object.keys(ADAPTERS).sort()).toEqual([
      'anthropic',
      'gemini',
      'groq',
      'mistral',
      'openai',
      'openai-compatible',
      'openrouter',
    ]);
    expect(registry.get('openai').defaultBaseUrl).toBe('https://api.openai.com/v1');
    expect(registry.get('groq').defaultBaseUrl).toBe('https://api.groq.com/openai/v1');
    expect(registry.get('mistral').defaultBaseUrl).toBe('https://api.mistral.ai/v1');
    expect(registry.get('openrouter').defaultBaseUrl).toBe('https://openrouter.ai/api/v1');
    expect(registry.get('gemini').defaultBaseUrl).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai',
    );
    expect(registry.get('anthropic').defaultBaseUrl).toBe('https://api.anthropic.com');
    // A self-hosted server has no public endpoint: a base URL must be configured.
    expect(registry.get('openai-compatible').defaultBaseUrl).toBeUndefined();
    for (const [service, Adapter] of Object.entries(ADAPTERS))
      expect(new Adapter(pool).service).toBe(service);
  });
});

describe('request bodies', () => {
  it('openai: streaming asks for usage; tool_choice only with tools', () => {
    const body = new OpenAIAdapter(pool).buildBody(
      req({ tool_choice: 'auto', params: { max_tokens: 5 } }),
      true,
    );
    expect(body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 5,
    });
    expect(body.tool_choice).toBeUndefined();
  });

  it("leaves Anthropic's cache_control out for OpenAI-shape services, keeps it for OpenRouter", () => {
    const mark = { type: 'ephemeral' };
    const marked = req({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys', cache_control: mark }] },
        { role: 'user', content: [{ type: 'text', text: 'doc', cache_control: mark }] },
      ],
      tools: [{ type: 'function', function: { name: 'f' }, cache_control: mark }],
    });
    const plain = new OpenAIAdapter(pool).buildBody(marked, false);
    expect(JSON.stringify(plain)).not.toContain('cache_control');
    expect(plain.messages[1].content).toEqual([{ type: 'text', text: 'doc' }]);
    const routed = new OpenRouterAdapter(pool).buildBody(marked, false);
    expect(routed.messages[0].content).toEqual([
      { type: 'text', text: 'sys', cache_control: mark },
    ]);
    expect(routed.messages[1].content).toEqual([
      { type: 'text', text: 'doc', cache_control: mark },
    ]);
    expect(routed.tools).toEqual([{ type: 'function', function: { name: 'f' } }]);
  });

  it('openai and mistral: send n when the policy kept it (several choices)', () => {
    expect(new OpenAIAdapter(pool).buildBody(req({ params: { n: 3 } }), true).n).toBe(3);
    expect(new MistralAdapter(pool).buildBody(req({ params: { n: 2 } }), false).n).toBe(2);
    expect(new OpenAIAdapter(pool).buildBody(req(), false)).not.toHaveProperty('n');
  });

  it('groq: drops the fields Groq answers with 400', () => {
    const body = new GroqAdapter(pool).buildBody(
      req({ params: { logprobs: true, top_logprobs: 2, logit_bias: {}, n: 1 } }),
      false,
    );
    for (const f of ['logprobs', 'top_logprobs', 'logit_bias', 'n'])
      expect(body[f]).toBeUndefined();
  });

  it('mistral: no stream_options; the same foreign id always maps to the same 9-character id', () => {
    const m = new MistralAdapter(pool);
    expect(m.buildBody(req(), true).stream_options).toBeUndefined();
    expect(m.toolCallId('call_abc')).toBe(m.toolCallId('call_abc'));
    expect(m.toolCallId('call_abc')).not.toBe(m.toolCallId('call_abd'));
    expect(m.toolCallId('AbC123xyz')).toBe('AbC123xyz');
  });

  it('openrouter: attribution headers on every request', () => {
    const headers = (
      new OpenRouterAdapter(pool) as unknown as { defaultHeaders(): Record<string, string> }
    ).defaultHeaders();
    expect(Object.keys(headers).sort()).toEqual(['HTTP-Referer', 'X-OpenRouter-Title', 'X-Title']);
  });

  it('gemini: sends back the thought signature of a call it returned', () => {
    const g = new GeminiAdapter(pool);
    g.inspectToolCall(
      { id: 'call_1', extra_content: { google: { thought_signature: 'sig==' } } },
      'call_1',
    );
    const body = g.buildBody(
      req({
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
        ],
      }),
      false,
    );
    const assistant = body.messages[1];
    expect(assistant.tool_calls?.[0]).toMatchObject({
      id: 'call_1',
      extra_content: { google: { thought_signature: 'sig==' } },
    });
  });
});

describe('ClientPool', () => {
  /** A stand-in client that remembers how it was built; the pool knows no SDK. */
  const getter =
    (p: ClientPool) =>
    (scope: string, apiKey: string, baseUrl = 'http://a', tenant?: boolean) =>
      p.get({ scope, apiKey, baseUrl, tenant }, (conn) => ({ scope, ...conn }));

  it('reuses a client per (service, key, base URL) and separates the rest', () => {
    const p = new ClientPool();
    const get = getter(p);
    const a = get('openai|openai', 'k1');
    expect(get('openai|openai', 'k1')).toBe(a);
    expect(get('openai|openai', 'k2')).not.toBe(a);
    expect(get('openai|groq', 'k1')).not.toBe(a);
    expect(get('openai|openai', 'k1', 'http://b')).not.toBe(a);
    const c = get('anthropic|anthropic', 'k1');
    expect(get('anthropic|anthropic', 'k1')).toBe(c);
    expect(p.size).toBe(5);
  });

  it('keeps trusted and tenant clients apart, even for the same key and base URL', () => {
    const p = new ClientPool();
    const get = getter(p);
    const trusted = get('openai|openai', 'k1');
    const tenant = get('openai|openai', 'k1', 'http://a', true);
    expect(tenant).not.toBe(trusted);
    expect(get('openai|openai', 'k1', 'http://a', true)).toBe(tenant);
    expect(get('anthropic|anthropic', 'k1', 'http://a', true)).not.toBe(
      get('anthropic|anthropic', 'k1'),
    );
    // The pool hands out the fetch: tenant clients get the egress-checked one (its own sockets).
    expect(tenant).toMatchObject({ apiKey: 'k1', baseURL: 'http://a', maxRetries: 0 });
    expect(tenant.fetch).not.toBe(trusted.fetch);
    expect(get('openai|groq', 'k9', 'http://c', true).fetch).toBe(tenant.fetch);
    expect(get('openai|groq', 'k9', 'http://c').fetch).toBe(trusted.fetch);
  });

  it('stays bounded, dropping the least recently used client', () => {
    const p = new ClientPool();
    const get = getter(p);
    const first = get('openai|openai', 'k0');
    for (let i = 1; i <= 256; i++) get('openai|openai', `k${i}`);
    expect(p.size).toBe(256);
    expect(get('openai|openai', 'k0')).not.toBe(first);
  });

  it('builds a client only on a miss', () => {
    const p = new ClientPool();
    const create = jest.fn(() => ({}));
    const key = { scope: 'openai|openai', apiKey: 'k', baseUrl: 'http://a' };
    p.get(key, create);
    p.get(key, create);
    expect(create).toHaveBeenCalledTimes(1);
  });
});
