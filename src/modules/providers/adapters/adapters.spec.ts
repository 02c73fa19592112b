import { ClientPool } from '../client-pool';
import type { ChatRequest } from '../provider.types';
import { ADAPTERS, AdapterRegistry } from './adapter.registry';
import { GeminiAdapter } from './gemini.adapter';
import { GroqAdapter } from './groq.adapter';
import { MistralAdapter } from './mistral.adapter';
import { OpenAIAdapter } from './openai.adapter';
import { OpenRouterAdapter } from './openrouter.adapter';

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
  it('reuses a client per (service, key, base URL) and separates the rest', () => {
    const p = new ClientPool();
    const a = p.openai('openai', { apiKey: 'k1', baseUrl: 'http://a' });
    expect(p.openai('openai', { apiKey: 'k1', baseUrl: 'http://a' })).toBe(a);
    expect(p.openai('openai', { apiKey: 'k2', baseUrl: 'http://a' })).not.toBe(a);
    expect(p.openai('groq', { apiKey: 'k1', baseUrl: 'http://a' })).not.toBe(a);
    const c = p.anthropic({ apiKey: 'k1', baseUrl: 'http://a' });
    expect(p.anthropic({ apiKey: 'k1', baseUrl: 'http://a' })).toBe(c);
    expect(p.size).toBe(4);
  });

  it('keeps trusted and tenant clients apart, even for the same key and base URL', () => {
    const p = new ClientPool();
    const trusted = p.openai('openai', { apiKey: 'k1', baseUrl: 'http://a' });
    const tenant = p.openai('openai', { apiKey: 'k1', baseUrl: 'http://a', tenant: true });
    expect(tenant).not.toBe(trusted);
    expect(p.openai('openai', { apiKey: 'k1', baseUrl: 'http://a', tenant: true })).toBe(tenant);
    expect(p.anthropic({ apiKey: 'k1', baseUrl: 'http://a', tenant: true })).not.toBe(
      p.anthropic({ apiKey: 'k1', baseUrl: 'http://a' }),
    );
  });

  it('stays bounded, dropping the least recently used client', () => {
    const p = new ClientPool();
    const first = p.openai('openai', { apiKey: 'k0', baseUrl: 'http://a' });
    for (let i = 1; i <= 256; i++) p.openai('openai', { apiKey: `k${i}`, baseUrl: 'http://a' });
    expect(p.size).toBe(256);
    expect(p.openai('openai', { apiKey: 'k0', baseUrl: 'http://a' })).not.toBe(first);
  });
});
