import { catalogProblems } from './catalog-shape';
import { ModelCatalogService } from './model-catalog.service';

const chatEntry = {
  context_window: 1000,
  max_output_tokens: 100,
  features: { tools: false, vision: false, streaming: true, json_mode: false },
  params: {},
};
const embeddingEntry = {
  ...chatEntry,
  kind: 'embedding',
  dimensions: 8,
  max_output_tokens: 0,
  features: { tools: false, vision: false, streaming: false, json_mode: false },
};
const catalogWith = (model: Record<string, unknown>) => ({
  version: '2026-01-01',
  services: { openai: { accepts_unknown_models: false, models: { m: model } } },
});

describe('embedding models in the catalog', () => {
  it('accepts an embedding entry: no output tokens, a vector length', () => {
    expect(catalogProblems(catalogWith(embeddingEntry))).toEqual([]);
  });

  it('refuses an embedding entry without dimensions, a bad kind, and a chat model with no output', () => {
    const { dimensions: _d, ...noDims } = embeddingEntry;
    expect(catalogProblems(catalogWith(noDims))).toEqual([
      'services.openai.models.m.dimensions must be a positive integer',
    ]);
    expect(catalogProblems(catalogWith({ ...chatEntry, kind: 'rerank' }))).toEqual([
      'services.openai.models.m.kind must be "chat" or "embedding"',
    ]);
    expect(catalogProblems(catalogWith({ ...chatEntry, max_output_tokens: 0 }))).toEqual([
      'services.openai.models.m.max_output_tokens must be a positive integer',
    ]);
  });

  it('lists the embedding models of the shipped catalog, priced by input', () => {
    const catalog = new ModelCatalogService();
    for (const [service, model] of [
      ['openai', 'text-embedding-3-small'],
      ['openai', 'text-embedding-3-large'],
      ['mistral', 'mistral-embed'],
      ['gemini', 'gemini-embedding-001'],
      ['openrouter', 'openai/text-embedding-3-small'],
    ] as const) {
      const entry = catalog.get(service, model);
      expect(entry).toMatchObject({ kind: 'embedding', pricing: { output_per_mtok: 0 } });
      expect(entry?.pricing?.input_per_mtok).toBeGreaterThan(0);
    }
  });

  it('refuses a chat completion on an embedding model, naming the right endpoint', () => {
    const catalog = new ModelCatalogService();
    expect(() =>
      catalog.validate({
        service: 'openai',
        model: 'text-embedding-3-small',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).toThrow(/embedding model; use POST \/v1\/embeddings/);
  });
});
