import { Logger } from '@nestjs/common';
import { catalogProblems } from './catalog-shape';
import { ModelCatalogService } from './model-catalog.service';

beforeAll(() => Logger.overrideLogger(false));

/** The OpenAI chat parameters clients send most, with values every OpenAI chat model takes. */
const OPENAI_EXTRAS = {
  logprobs: true,
  top_logprobs: 2,
  logit_bias: { '50256': -100 },
  metadata: { team: 'a' },
  store: true,
  service_tier: 'auto',
  prompt_cache_key: 'k1',
  safety_identifier: 'user-hash',
};

describe('parameter policy (catalog-driven)', () => {
  let catalog: ModelCatalogService;
  beforeEach(() => {
    catalog = new ModelCatalogService();
  });

  it('passes every listed OpenAI parameter through to openai/gpt-4o-mini, dropping nothing', () => {
    const params = { temperature: 0.2, seed: 7, max_tokens: 10, ...OPENAI_EXTRAS };
    const r = catalog.applyParamPolicy('openai', 'gpt-4o-mini', params, false);
    expect(r).toEqual({ params, dropped: [] });
  });

  it.each(['gpt-5', 'o4-mini'])('keeps reasoning_effort on openai/%s', (model) => {
    const r = catalog.applyParamPolicy('openai', model, { reasoning_effort: 'low' }, true);
    expect(r).toEqual({ params: { reasoning_effort: 'low' }, dropped: [] });
  });

  it.each([
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-5'],
    ['mistral', 'mistral-small-latest'],
  ] as const)(
    'keeps n (several choices) on %s/%s, where the provider documents it',
    (service, model) => {
      expect(catalog.applyParamPolicy(service, model, { n: 3 }, true)).toEqual({
        params: { n: 3 },
        dropped: [],
      });
    },
  );

  it.each([
    ['anthropic', 'claude-haiku-4-5'],
    ['groq', 'llama-3.3-70b-versatile'],
    ['gemini', 'gemini-2.5-flash'],
    ['mistral', 'mistral-large-latest'],
  ] as const)(
    'drops n on %s/%s (not documented there), or refuses it strictly',
    (service, model) => {
      expect(catalog.applyParamPolicy(service, model, { n: 2 }, false)).toEqual({
        params: {},
        dropped: ['n'],
      });
      expect(() => catalog.applyParamPolicy(service, model, { n: 2 }, true)).toThrow(
        expect.objectContaining({ param: 'n' }),
      );
    },
  );

  it('drops what Anthropic cannot take and names it, in the order sent', () => {
    const r = catalog.applyParamPolicy(
      'anthropic',
      'claude-sonnet-4-6',
      { seed: 1, temperature: 0.3, logprobs: true, presence_penalty: 0.5, stop: 'END' },
      false,
    );
    expect(r.params).toEqual({ temperature: 0.3, stop: 'END' });
    expect(r.dropped).toEqual(['seed', 'logprobs', 'presence_penalty']);
  });

  it('keeps temperature and drops top_p when both go to an Anthropic 4.5+ model', () => {
    const r = catalog.applyParamPolicy(
      'anthropic',
      'claude-haiku-4-5',
      { top_p: 0.9, temperature: 0.5 },
      false,
    );
    expect(r).toEqual({ params: { temperature: 0.5 }, dropped: ['top_p'] });
  });

  it('keeps top_p alone on Anthropic', () => {
    const r = catalog.applyParamPolicy('anthropic', 'claude-haiku-4-5', { top_p: 0.9 }, false);
    expect(r).toEqual({ params: { top_p: 0.9 }, dropped: [] });
  });

  it.each([
    ['anthropic', 'claude-sonnet-4-5', { seed: 3 }, 'seed', /seed is not supported by anthropic/],
    [
      'anthropic',
      'claude-sonnet-4-5',
      { temperature: 0.5, top_p: 0.9 },
      'top_p',
      /temperature and top_p cannot both be sent/,
    ],
    ['openai', 'gpt-5', { temperature: 0.5 }, 'temperature', /temperature is not supported/],
    ['openai', 'gpt-4o-mini', { verbosity: 'low' }, 'verbosity', /verbosity is not supported/],
  ] as const)(
    'strict mode: %s/%s with %j is a 400 naming %s',
    (service, model, params, param, message) => {
      let thrown: unknown;
      try {
        catalog.applyParamPolicy(service, model, { ...params }, true);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, param });
      expect((thrown as Error).message).toMatch(message);
    },
  );

  it('keeps unknown parameters on a service that passes them through', () => {
    const r = catalog.applyParamPolicy(
      'openai-compatible',
      'my-local-model',
      { min_p: 0.1, seed: 1 },
      true,
    );
    expect(r).toEqual({ params: { min_p: 0.1, seed: 1 }, dropped: [] });
  });

  it('ignores nulls (absent) instead of dropping or refusing them', () => {
    const r = catalog.applyParamPolicy(
      'anthropic',
      'claude-haiku-4-5',
      { seed: null as unknown as number },
      true,
    );
    expect(r).toEqual({ params: {}, dropped: [] });
  });

  it('defaults Anthropic max_tokens to the model maximum from the catalog', () => {
    for (const model of ['claude-haiku-4-5', 'claude-opus-4-8']) {
      const req = {
        service: 'anthropic' as const,
        model,
        messages: [{ role: 'user' as const, content: 'hi' }],
      };
      const max = catalog.get('anthropic', model)?.max_output_tokens;
      expect(max).toBeGreaterThan(4096);
      expect(catalog.prepare(req, catalog.validate(req)).params?.max_tokens).toBe(max);
    }
  });

  it('outside the policy (agent configuration, fallbacks) both members are a 400, or adapted', () => {
    const req = {
      service: 'anthropic' as const,
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user' as const, content: 'hi' }],
      params: { temperature: 0.5, top_p: 0.9 },
    };
    expect(() => catalog.validate(req)).toThrow(
      expect.objectContaining({ status: 400, param: 'top_p' }),
    );
    const adapted = catalog.adaptForFallback(
      { ...req, service: 'openai', model: 'gpt-4o' },
      'anthropic',
      'claude-sonnet-4-6',
    );
    expect(adapted?.params).toEqual({ temperature: 0.5, max_tokens: 64000 });
  });

  it('rejects a malformed exclusive_params in an override', () => {
    const problems = catalogProblems({
      version: 'x',
      services: {
        anthropic: {
          accepts_unknown_models: false,
          models: {
            m: {
              context_window: 1,
              max_output_tokens: 1,
              features: { tools: true, vision: true, streaming: true, json_mode: true },
              params: {},
              exclusive_params: ['temperature'],
            },
          },
        },
      },
    });
    expect(problems).toEqual([
      'services.anthropic.models.m.exclusive_params must be a list of lists of parameter names',
    ]);
  });
});
