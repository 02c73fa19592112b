import { mockEmbedding, mockEmbeddingTokens } from '../../../../../test/mock-upstream/embeddings';
import { startMockUpstream, type MockUpstream } from '../../../../../test/mock-upstream/server';
import { ClientPool } from '../../client-pool';
import { ProviderError } from '../../errors/provider-error';
import type { EmbeddingRequest } from '../../provider.types';
import { ADAPTERS } from '../adapter.registry';
import type { AdapterContext } from '../provider-adapter';
import { GeminiAdapter } from './gemini.adapter';
import { MistralAdapter } from './mistral.adapter';
import { OpenAIAdapter } from './openai.adapter';
import { parseEmbeddings } from './openai-compatible.embeddings';

const pool = new ClientPool();
const req = (extra: Partial<EmbeddingRequest> = {}): EmbeddingRequest => ({
  service: 'openai',
  model: 'text-embedding-3-small',
  input: ['a', 'b'],
  ...extra,
});

describe('embedding request bodies', () => {
  it('openai: floats upstream whatever the caller wants, dimensions and user as given', () => {
    expect(new OpenAIAdapter(pool).buildEmbeddingBody(req({ dimensions: 64, user: 'u' }))).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
      dimensions: 64,
      user: 'u',
    });
  });

  it('mistral: no user; dimensions is output_dimension', () => {
    const body = new MistralAdapter(pool).buildEmbeddingBody(req({ dimensions: 64, user: 'u' }));
    expect(body).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
      output_dimension: 64,
    });
  });

  it('gemini: no user', () => {
    const body = new GeminiAdapter(pool).buildEmbeddingBody(req({ user: 'u' }));
    expect(body.user).toBeUndefined();
  });

  it('only the services that offer embeddings have embed()', () => {
    const offering = Object.entries(ADAPTERS)
      .filter(([, A]) => typeof new A(pool).embed === 'function')
      .map(([name]) => name)
      .sort();
    expect(offering).toEqual(['gemini', 'mistral', 'openai', 'openai-compatible', 'openrouter']);
  });
});

describe('parseEmbeddings', () => {
  const vec = (x: number) => [x, x];
  it('puts vectors in input order by their index', () => {
    const raw = {
      data: [
        { index: 1, embedding: vec(1) },
        { index: 0, embedding: vec(0) },
      ],
      usage: { prompt_tokens: 4, total_tokens: 4 },
    };
    const r = parseEmbeddings(raw, 'openai', 'm', 2);
    expect(r.vectors).toEqual([vec(0), vec(1)]);
    expect(r.usage).toMatchObject({ input_tokens: 4, output_tokens: 0, total_tokens: 4 });
  });

  it.each([
    ['too few vectors', { data: [{ index: 0, embedding: vec(0) }] }],
    [
      'a repeated index',
      {
        data: [
          { index: 0, embedding: vec(0) },
          { index: 0, embedding: vec(1) },
        ],
      },
    ],
    [
      'a vector that is not numbers',
      {
        data: [
          { index: 0, embedding: 'AAAA' },
          { index: 1, embedding: vec(1) },
        ],
      },
    ],
    ['no data', {}],
  ])('refuses %s as malformed', (_, raw) => {
    expect(() => parseEmbeddings(raw, 'openai', 'm', 2)).toThrow(ProviderError);
  });
});

describe('OpenAICompatibleAdapter.embed against the mock upstream', () => {
  let mock: MockUpstream;
  beforeAll(async () => {
    mock = await startMockUpstream();
  });
  afterAll(async () => {
    await mock.close();
  });

  const ctx = (): AdapterContext => ({
    apiKey: 'k',
    baseUrl: `${mock.url}/v1`,
    signal: new AbortController().signal,
    timeoutMs: 5000,
  });

  it('sends one /embeddings call and returns the vectors and usage', async () => {
    const input = ['one text', 'another text'];
    const r = await new MistralAdapter(pool).embed(
      req({ service: 'mistral', model: 'mistral-embed', input, dimensions: 3 }),
      ctx(),
    );
    expect(r.vectors).toEqual(input.map((t) => mockEmbedding(t, 3)));
    expect(r.usage.input_tokens).toBe(mockEmbeddingTokens(input));
    const sent = mock.requests({ path: '/embeddings' }).at(-1);
    expect(sent?.body).toEqual({
      model: 'mistral-embed',
      input,
      encoding_format: 'float',
      output_dimension: 3,
    });
  });

  it("translates the upstream's 400 into a client ProviderError", async () => {
    const err = await new OpenAIAdapter(pool)
      .embed(req({ input: '' }), ctx())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('client');
  });
});
