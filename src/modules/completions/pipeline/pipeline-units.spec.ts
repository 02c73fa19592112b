import { AppException } from '../../../common/errors';
import type { ChatMessage } from '../../providers';
import { cacheKeyFor, stableStringify } from '../../cache';
import { BackgroundTasks } from './background-tasks';
import { estimateTokens, trimHistory } from './history-trimmer';
import { cachePolicy } from './job-builder';
import { renderPrompt } from './prompt-template';
import { addUsage, ZERO_USAGE } from './usage-math';

describe('renderPrompt', () => {
  it('fills variables, with or without spaces in the braces', () => {
    expect(renderPrompt('Hi {{name}}, you are {{ age }}.', { name: 'Ada', age: 36 })).toBe(
      'Hi Ada, you are 36.',
    );
  });

  it('names every missing variable in a 400', () => {
    try {
      renderPrompt('{{a}} {{b}} {{a}}', {});
      fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(AppException);
      expect((e as AppException).status).toBe(400);
      expect((e as AppException).message).toBe('Missing prompt variables: a, b');
      expect((e as AppException).param).toBe('variables.a');
    }
  });

  it('never fills a placeholder from Object.prototype', () => {
    expect(() => renderPrompt('{{constructor}} {{toString}}', {})).toThrow(
      'Missing prompt variables: constructor, toString',
    );
  });

  it('refuses a rendering that multiplies a large variable past the limit', () => {
    const template = '{{v}}'.repeat(20_000);
    const big = 'x'.repeat(1_000);
    expect(() => renderPrompt(template, { v: big })).toThrow(
      expect.objectContaining({ status: 400, param: 'variables.v' }),
    );
    expect(renderPrompt('{{v}}'.repeat(100), { v: big })).toHaveLength(100_000);
  });
});

describe('trimHistory', () => {
  const sys: ChatMessage = { role: 'system', content: 'be brief' };
  const user = (t: string): ChatMessage => ({ role: 'user', content: t });
  const asst = (t: string): ChatMessage => ({ role: 'assistant', content: t });
  const long = 'x'.repeat(400); // ~104 tokens each

  it('keeps everything when it fits', () => {
    const history = [user('a'), asst('b')];
    expect(trimHistory([sys], history, [user('c')], 10_000)).toEqual([sys, ...history, user('c')]);
  });

  it('drops the oldest whole turns first and keeps the system prompt and the new message', () => {
    const toolTurn: ChatMessage[] = [
      user(long),
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: long },
      asst(long),
    ];
    const recent = [user('recent'), asst('reply')];
    const fresh = [user('now')];
    const budget = [sys, ...recent, ...fresh].reduce((n, m) => n + estimateTokens(m), 0) + 10;
    const out = trimHistory([sys], [...toolTurn, ...recent], fresh, budget);
    expect(out).toEqual([sys, ...recent, ...fresh]);
    // the tool result never survives without the call that asked for it
    expect(out.some((m) => m.role === 'tool')).toBe(false);
  });
});

describe('cachePolicy', () => {
  const base = {
    requested: undefined,
    agentTtl: null,
    defaultTtl: 300,
    params: {},
    sideEffects: false,
  };

  it('caches deterministic requests by default', () => {
    expect(cachePolicy({ ...base, params: { temperature: 0 } })).toBe(300);
  });
  it('does not cache sampled or tool-using requests unless asked', () => {
    expect(cachePolicy(base)).toBe(0);
    expect(cachePolicy({ ...base, params: { temperature: 0 }, sideEffects: true })).toBe(0);
    expect(cachePolicy({ ...base, agentTtl: 60 })).toBe(60);
    expect(cachePolicy({ ...base, requested: 30, sideEffects: true })).toBe(30);
    // Several choices (n > 1) are independent samples: never cached, even when asked.
    expect(cachePolicy({ ...base, params: { temperature: 0, n: 2 } })).toBe(0);
    expect(cachePolicy({ ...base, requested: 30, params: { n: 3 } })).toBe(0);
    expect(cachePolicy({ ...base, params: { temperature: 0, n: 1 } })).toBe(300);
  });
  it('lets the request turn caching off', () => {
    expect(cachePolicy({ ...base, requested: 0, agentTtl: 60, params: { temperature: 0 } })).toBe(
      0,
    );
  });
});

describe('cacheKeyFor', () => {
  const req = {
    service: 'openai' as const,
    model: 'gpt-4o-mini',
    messages: [{ role: 'user' as const, content: 'hi' }],
    params: { temperature: 0, max_tokens: 5 },
  };

  it('is the same for logically equal requests and differs by org and by every parameter', () => {
    const k = cacheKeyFor('org-1', req);
    expect(cacheKeyFor('org-1', { ...req, params: { max_tokens: 5, temperature: 0 } })).toBe(k);
    expect(cacheKeyFor('org-2', req)).not.toBe(k);
    expect(cacheKeyFor('org-1', { ...req, params: { temperature: 0, max_tokens: 6 } })).not.toBe(k);
    expect(cacheKeyFor('org-1', { ...req, model: 'gpt-4o' })).not.toBe(k);
  });

  it('sorts keys and skips undefined values', () => {
    expect(stableStringify({ b: 1, a: undefined, c: [{ y: 1, x: 2 }] })).toBe(
      '{"b":1,"c":[{"x":2,"y":1}]}',
    );
  });
});

describe('addUsage', () => {
  it('sums rounds and keeps an unknown cost unknown', () => {
    const u = {
      input_tokens: 1,
      output_tokens: 2,
      total_tokens: 3,
      cached_tokens: 0,
      reasoning_tokens: 0,
      cost_usd: 0.1,
    };
    expect(addUsage(addUsage(ZERO_USAGE, u), u)).toMatchObject({
      input_tokens: 2,
      total_tokens: 6,
      cost_usd: 0.2,
    });
    expect(addUsage(u, { ...u, cost_usd: null }).cost_usd).toBeNull();
  });
});

describe('BackgroundTasks', () => {
  it('retries a failing task until it succeeds and drains', async () => {
    const tasks = new BackgroundTasks();
    let calls = 0;
    tasks.schedule('flaky', async () => {
      calls++;
      if (calls < 2) throw new Error('store hiccup');
    });
    await tasks.drain();
    expect(calls).toBe(2);
  });
});
