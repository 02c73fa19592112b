import { Logger } from '@nestjs/common';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '../provider.types';
import type { ChatRequest, Usage } from '../provider.types';
import { catalogProblems, deepMerge } from './catalog-shape';
import { CATALOG_DIR, loadCatalogFile, ModelCatalogService } from './model-catalog.service';

// Keep the output readable; the attempt log lines are checked with spies where it matters.
beforeAll(() => Logger.overrideLogger(false));

const usage = (input: number, output: number, cached = 0): Usage => ({
  input_tokens: input,
  output_tokens: output,
  total_tokens: input + output,
  cached_tokens: cached,
  reasoning_tokens: 0,
  cost_usd: null,
});

const req = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  service: 'openai',
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('ModelCatalogService', () => {
  let catalog: ModelCatalogService;
  beforeEach(() => {
    catalog = new ModelCatalogService();
  });

  it('loads the versioned file, which is structurally valid', () => {
    const raw = loadCatalogFile();
    expect(catalogProblems(raw)).toEqual([]);
    expect(catalog.version).toBe('2026-12-04');
    expect(catalog.get('openai', 'gpt-4o')?.pricing).toEqual({
      input_per_mtok: 2.5,
      output_per_mtok: 10,
      cached_input_per_mtok: 1.25,
    });
    expect(catalog.get('openai', 'nope')).toBeUndefined();
    // Not fooled by Object.prototype members.
    expect(catalog.get('openai', 'constructor')).toBeUndefined();
  });

  it('has models for every service, each with a price', () => {
    const listing = catalog.list();
    for (const service of ['openai', 'anthropic', 'groq', 'gemini', 'mistral', 'openrouter']) {
      expect(listing.models.filter((m) => m.service === service).length).toBeGreaterThanOrEqual(2);
    }
    expect(listing.models.every((m) => m.pricing && m.pricing.input_per_mtok > 0)).toBe(true);
  });

  describe('price', () => {
    it('bills cached input at the cached rate and the rest at the input rate', () => {
      // gpt-4o: $2.50 in, $1.25 cached, $10 out per million.
      expect(catalog.price('openai', 'gpt-4o', usage(1_000_000, 1_000_000))).toBe(12.5);
      expect(catalog.price('openai', 'gpt-4o', usage(1000, 500, 400))).toBeCloseTo(
        (600 * 2.5 + 400 * 1.25 + 500 * 10) / 1e6,
        12,
      );
    });

    it('bills cached input at the input rate when the model has no cached price', () => {
      expect(catalog.price('mistral', 'mistral-small-latest', usage(1000, 0, 1000))).toBeCloseTo(
        0.0001,
        12,
      );
    });

    it('is null for models that are not in the catalog', () => {
      expect(catalog.price('openrouter', 'someone/else', usage(10, 10))).toBeNull();
    });
  });

  describe('validate', () => {
    it('accepts a valid request and resolves the entry', () => {
      const resolved = catalog.validate(
        req({ params: { temperature: 0.7, max_tokens: 100, stop: ['a', 'b'] } }),
      );
      expect(resolved).toMatchObject({ service: 'openai', model: 'gpt-4o', known: true });
    });

    it.each([
      [{ params: { temperature: -0.1 } }, 'temperature'],
      [{ params: { max_tokens: 1.5 } }, 'max_tokens'],
      [{ params: { stop: ['a', 'b', 'c', 'd', 'e'] } }, 'stop'],
      [{ params: { top_p: '0.5' } }, 'top_p'],
      [{ params: { logit_bias: [] } }, 'logit_bias'],
      [{ params: { verbosity: 'high' } }, 'verbosity'],
      [{ messages: [] }, 'messages'],
      [{ tool_choice: { type: 'function', function: { name: 'x' } } }, 'tool_choice'],
      [
        {
          tools: [{ type: 'function', function: { name: 'a' } }],
          tool_choice: { type: 'function', function: { name: 'b' } },
        },
        'tool_choice',
      ],
    ] as Array<[Partial<ChatRequest>, string]>)('rejects %j naming %s', (extra, param) => {
      expect(() => catalog.validate(req(extra))).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', status: 400, param }),
      );
    });

    it('says which parameters are accepted', () => {
      expect(() =>
        catalog.validate(
          req({ service: 'anthropic', model: 'claude-haiku-4-5', params: { seed: 1 } }),
        ),
      ).toThrow(
        'seed is not supported by anthropic/claude-haiku-4-5 (accepted: temperature, top_p, top_k, max_tokens, stop, thinking)',
      );
    });

    it('ignores null parameters (absent)', () => {
      expect(() =>
        catalog.validate(req({ params: { temperature: null as unknown as number } })),
      ).not.toThrow();
    });

    it('passes unknown models on services that accept them, with the default params', () => {
      const resolved = catalog.validate(
        req({
          service: 'openrouter',
          model: 'acme/new-1',
          params: { top_k: 20, temperature: 1.2 },
        }),
      );
      expect(resolved.known).toBe(false);
      expect(() =>
        catalog.validate(req({ service: 'openrouter', model: 'acme/new-1', params: { foo: 1 } })),
      ).toThrow(expect.objectContaining({ param: 'foo' }));
    });

    it('passes unnamed parameters of unknown models through where the service says so', () => {
      catalog.setOverrides({ services: { openrouter: { accepts_unknown_params: true } } });
      const unknown = req({
        service: 'openrouter',
        model: 'acme/new-1',
        params: { foo: 1, min_p: 0.1, temperature: 1.2 },
      });
      const resolved = catalog.validate(unknown);
      expect(resolved.passThroughParams).toBe(true);
      expect(catalog.prepare(unknown, resolved).params).toEqual({
        foo: 1,
        min_p: 0.1,
        temperature: 1.2,
      });
      // Named ones are still checked; listed models keep their own parameter list.
      expect(() => catalog.validate({ ...unknown, params: { temperature: 7 } })).toThrow(
        expect.objectContaining({ param: 'temperature' }),
      );
      expect(() =>
        catalog.validate(
          req({ service: 'openrouter', model: 'openai/gpt-4o-mini', params: { foo: 1 } }),
        ),
      ).toThrow(expect.objectContaining({ param: 'foo' }));
      // A fallback onto such a model keeps them too.
      expect(
        catalog.adaptForFallback(req({ params: { seed: 3, foo: 1 } }), 'openrouter', 'acme/x')
          ?.params,
      ).toEqual({ seed: 3, foo: 1 });
      expect(() =>
        catalog.setOverrides({
          services: { openrouter: { accepts_unknown_params: 'yes' as never } },
        }),
      ).toThrow('services.openrouter.accepts_unknown_params must be a boolean');
    });

    it('rejects unknown models elsewhere', () => {
      expect(() => catalog.validate(req({ model: 'gpt-2' }))).toThrow(
        expect.objectContaining({ param: 'model' }),
      );
    });
  });

  describe('prepare and adaptForFallback', () => {
    it('fills required defaults (Anthropic max_tokens) and drops nulls', () => {
      const r = req({
        service: 'anthropic',
        model: 'claude-haiku-4-5',
        params: { stop: null as unknown as string },
      });
      // A required max_tokens defaults to the model's own maximum output, not a gateway guess.
      expect(catalog.prepare(r, catalog.validate(r)).params).toEqual({ max_tokens: 64000 });
    });

    it('drops parameters the fallback does not take and clamps the rest', () => {
      const r = req({
        params: { temperature: 1.8, seed: 3, max_tokens: 50_000, stop: ['a', 'b', 'c', 'd'] },
      });
      expect(catalog.adaptForFallback(r, 'mistral', 'mistral-small-latest')?.params).toEqual({
        temperature: 1.5,
        seed: 3,
        max_tokens: 32768,
        stop: ['a', 'b', 'c', 'd'],
      });
      expect(catalog.adaptForFallback(r, 'anthropic', 'claude-haiku-4-5')).toMatchObject({
        service: 'anthropic',
        model: 'claude-haiku-4-5',
        params: { max_tokens: 50_000, stop: ['a', 'b', 'c', 'd'] },
      });
    });

    it('skips a fallback that cannot serve the request at all', () => {
      catalog.setOverrides({
        services: { groq: { models: { 'llama-3.1-8b-instant': { features: { tools: false } } } } },
      });
      const r = req({ tools: [{ type: 'function', function: { name: 'a' } }] });
      expect(catalog.adaptForFallback(r, 'groq', 'llama-3.1-8b-instant')).toBeUndefined();
      expect(catalog.adaptForFallback(r, 'openai', 'gpt-404')).toBeUndefined();
    });
  });

  it('names the service serving a bare id: the first in service-list order that lists it', () => {
    expect(catalog.serviceListing('gpt-4o-mini')).toBe('openai');
    expect(catalog.serviceListing('claude-sonnet-4-6')).toBe('anthropic');
    expect(catalog.serviceListing('constructor')).toBeUndefined();
    expect(catalog.serviceListing('no-such-model')).toBeUndefined();
    // The same id listed by two services goes to the one earlier in the service list.
    const entry = catalog.get('openai', 'gpt-4o-mini');
    catalog.setOverrides({
      services: {
        anthropic: { models: { 'shared-id': { ...entry } } },
        openai: { models: { 'shared-id': { ...entry } } },
      },
    });
    expect(catalog.serviceListing('shared-id')).toBe('openai');
  });

  describe('setOverrides', () => {
    it('merges over the file: change a price, add a model, remove a model', () => {
      const entry = catalog.get('openai', 'gpt-4o-mini');
      catalog.setOverrides({
        services: {
          openai: {
            models: {
              'gpt-4o': { pricing: { input_per_mtok: 1 } },
              'gpt-4o-mini': null,
              'ft:gpt-4o-mini:acme': { ...entry },
            },
          },
        },
      });
      expect(catalog.get('openai', 'gpt-4o')?.pricing).toEqual({
        input_per_mtok: 1,
        output_per_mtok: 10,
        cached_input_per_mtok: 1.25,
      });
      expect(catalog.get('openai', 'gpt-4o-mini')).toBeUndefined();
      expect(catalog.get('openai', 'ft:gpt-4o-mini:acme')).toEqual(entry);
    });

    it('replaces the previous overrides rather than stacking them', () => {
      catalog.setOverrides({ services: { openai: { models: { 'gpt-4o': null } } } });
      catalog.setOverrides({});
      expect(catalog.get('openai', 'gpt-4o')).toBeDefined();
    });

    it('refuses an invalid result, listing the problems, and keeps the catalog in force', () => {
      expect(() =>
        catalog.setOverrides({
          services: {
            openai: {
              models: {
                'gpt-4o': { context_window: -1, params: { temperature: { min: 3, max: 1 } } },
              },
            },
          },
        }),
      ).toThrow(
        expect.objectContaining({
          code: 'VALIDATION_FAILED',
          details: {
            problems: [
              'services.openai.models.gpt-4o.context_window must be a positive integer',
              'services.openai.models.gpt-4o.params.temperature.min is greater than max',
            ],
          },
        }),
      );
      expect(catalog.get('openai', 'gpt-4o')?.context_window).toBe(128000);
    });

    it('takes price overrides: cache-write rates and a long-context tier, used by price()', () => {
      catalog.setOverrides({
        services: {
          openai: {
            models: {
              'gpt-4o': {
                pricing: {
                  cache_write_per_mtok: 3,
                  long_context: {
                    above_input_tokens: 1000,
                    input_per_mtok: 5,
                    output_per_mtok: 20,
                  },
                },
              },
            },
          },
        },
      });
      const u = { ...usage(1000, 10, 100), cache_write_tokens: 200 };
      // 700 plain * 2.5 + 100 read * 1.25 + 200 written * 3 + 10 out * 10, at the base rates.
      expect(catalog.price('openai', 'gpt-4o', u)).toBeCloseTo(0.002575, 12);
      // One token more: the whole request at the tier, whose cache rates default to its input rate.
      expect(catalog.price('openai', 'gpt-4o', { ...u, input_tokens: 1001 })).toBeCloseTo(
        (1001 * 5 + 10 * 20) / 1e6,
        12,
      );
    });

    it('refuses a malformed price sheet', () => {
      expect(() =>
        catalog.setOverrides({
          services: {
            openai: {
              models: {
                'gpt-4o': {
                  pricing: {
                    cache_write_1h_per_mtok: -1,
                    long_context: { above_input_tokens: 0, input_per_mtok: 1 },
                  },
                },
              },
            },
          },
        }),
      ).toThrow(
        expect.objectContaining({
          details: {
            problems: [
              'services.openai.models.gpt-4o.pricing.cache_write_1h_per_mtok must be a number >= 0 or null',
              'services.openai.models.gpt-4o.pricing.long_context.above_input_tokens must be an integer >= 1',
              'services.openai.models.gpt-4o.pricing.long_context.output_per_mtok must be a number >= 0',
            ],
          },
        }),
      );
    });
  });
});

describe('deepMerge', () => {
  it('merges objects, replaces arrays and scalars, deletes on null, leaves inputs alone', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 1 };
    const out = deepMerge(base, { a: { c: [3] }, d: null, e: 2 });
    expect(out).toEqual({ a: { b: 1, c: [3] }, e: 2 });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 1 });
  });
});

describe('loadCatalogFile (one data file per service)', () => {
  const copyCatalog = (omit?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'aimw-catalog-'));
    mkdirSync(join(dir, 'services'));
    copyFileSync(join(CATALOG_DIR, 'version.json'), join(dir, 'version.json'));
    for (const s of SERVICES) {
      if (s !== omit)
        copyFileSync(
          join(CATALOG_DIR, 'services', `${s}.json`),
          join(dir, 'services', `${s}.json`),
        );
    }
    return dir;
  };

  it('reads every service of the service list from its own file', () => {
    const dir = copyCatalog();
    try {
      const raw = loadCatalogFile(dir) as { version: string; services: Record<string, unknown> };
      expect(Object.keys(raw.services)).toEqual([...SERVICES]);
      expect(catalogProblems(raw)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without the data file of a listed service', () => {
    const dir = copyCatalog('groq');
    try {
      expect(() => loadCatalogFile(dir)).toThrow(
        `no catalog data for groq (${join('services', 'groq.json')})`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
