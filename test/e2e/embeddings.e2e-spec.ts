import OpenAI from 'openai';
import { mockEmbedding, mockEmbeddingTokens } from '../mock-upstream/embeddings';
import { mockDirective, startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';
import { mockBaseUrls } from '../support/gateway-with-mock';
import { authHeaders, signToken, startTestApp, type TestApp } from '../support/test-app';

/** float32 rounding, as a base64 round trip through the SDK leaves the values. */
const f32 = (v: number[]) => Array.from(new Float32Array(v));

describe('POST /v1/embeddings and GET /v1/models/{id} through the official openai SDK', () => {
  let mock: MockUpstream;
  let gw: TestApp;
  let client: OpenAI;
  const org = `org-embeddings-${process.pid}`;
  const sdk = (claims: Record<string, unknown>) =>
    new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: signToken(claims), maxRetries: 0 });

  beforeAll(async () => {
    // Every service at the mock, the generic OpenAI-compatible one included.
    mock = await startMockUpstream();
    gw = await startTestApp({
      ...mockBaseUrls(mock.url),
      OPENAI_COMPATIBLE_BASE_URL: `${mock.url}/v1`,
    });
    client = sdk({ org_id: org });
  });
  afterAll(async () => {
    await gw?.close();
    await mock?.close();
  });

  it("decodes the SDK's default base64 answer to the upstream's vectors", async () => {
    const res = await client.embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'hello embeddings',
    });
    expect(res.object).toBe('list');
    expect(res.model).toBe('openai/text-embedding-3-small');
    expect(res.data).toHaveLength(1);
    expect(res.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    // The SDK asked for base64 and decoded it: only little-endian float32 decodes to these values.
    expect(Array.from(res.data[0].embedding)).toEqual(f32(mockEmbedding('hello embeddings')));
    const tokens = mockEmbeddingTokens(['hello embeddings']);
    expect(res.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
  });

  it('sends the base64 string itself to a raw HTTP caller that asks for it', async () => {
    const res = await fetch(`${gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { ...authHeaders(signToken({ org_id: org })), 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/text-embedding-3-small',
        input: 'raw',
        encoding_format: 'base64',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ embedding: string }> };
    const bytes = Buffer.from(body.data[0].embedding, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(f32(mockEmbedding('raw')));
  });

  it('answers floats for encoding_format "float" and for a raw call that names none', async () => {
    const res = await client.embeddings.create({
      model: 'openai/text-embedding-3-small',
      input: 'floats please',
      encoding_format: 'float',
    });
    expect(res.data[0].embedding).toEqual(mockEmbedding('floats please'));
    const raw = await fetch(`${gw.url}/v1/embeddings`, {
      method: 'POST',
      headers: { ...authHeaders(signToken({ org_id: org })), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mistral/mistral-embed', input: 'no format' }),
    });
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { data: Array<{ embedding: unknown }> };
    expect(body.data[0].embedding).toEqual(mockEmbedding('no format'));
  });

  it('embeds an array of inputs in order, with dimensions, on every embedding service', async () => {
    const input = ['first text', 'second text', 'third'];
    for (const model of [
      'openai/text-embedding-3-large',
      'gemini/gemini-embedding-001',
      'openrouter/openai/text-embedding-3-small',
      // Not in the catalog: the generic service passes any id through (unpriced).
      'openai-compatible/nomic-embed-text',
    ]) {
      const res = await client.embeddings.create({ model, input, dimensions: 5 });
      expect(res.model).toBe(model);
      expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
      res.data.forEach((d, i) =>
        expect(Array.from(d.embedding)).toEqual(f32(mockEmbedding(input[i], 5))),
      );
      expect(res.usage.prompt_tokens).toBe(mockEmbeddingTokens(input));
    }
  });

  it('records the call as completions are recorded: call log with tokens and price, usage row', async () => {
    const admin = sdk({ org_id: `${org}-usage`, scopes: ['admin'] });
    const input = ['metered input one', 'metered input two'];
    await admin.embeddings.create({ model: 'openai/text-embedding-3-small', input });
    const headers = authHeaders(signToken({ org_id: `${org}-usage`, scopes: ['admin'] }));
    const logs = (await (await fetch(`${gw.url}/api/v1/call-logs`, { headers })).json()) as {
      data: Array<Record<string, unknown>>;
    };
    const tokens = mockEmbeddingTokens(input);
    expect(logs.data).toEqual([
      expect.objectContaining({
        service: 'openai',
        model: 'text-embedding-3-small',
        outcome: 'success',
        input_tokens: tokens,
        output_tokens: 0,
        // $0.02 per million input tokens, from the catalog.
        cost_usd: expect.closeTo((tokens * 0.02) / 1e6, 12),
        request: expect.objectContaining({ endpoint: 'embeddings', inputs: 2 }),
      }),
    ]);
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const usage = (await (
      await fetch(
        `${gw.url}/api/v1/metrics/usage?from=${from}&to=${to}&interval=1d&group_by=model`,
        { headers },
      )
    ).json()) as { data: { buckets: Array<Record<string, unknown>> } };
    expect(usage.data.buckets).toEqual([
      expect.objectContaining({
        group: 'openai/text-embedding-3-small',
        requests: 1,
        input_tokens: tokens,
      }),
    ]);
  });

  it("records a failed call as a failed completion is recorded (the upstream's 400 passed on)", async () => {
    const failOrg = `${org}-fail`;
    const err = await sdk({ org_id: failOrg })
      .embeddings.create({
        model: 'openai/text-embedding-3-small',
        input: `fail ${mockDirective({ status: 400 })}`,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    // A failure's record is written in the background.
    await gw.app.get(BackgroundTasks).drain();
    const headers = authHeaders(signToken({ org_id: failOrg, scopes: ['admin'] }));
    const logs = (await (await fetch(`${gw.url}/api/v1/call-logs`, { headers })).json()) as {
      data: Array<Record<string, unknown>>;
    };
    expect(logs.data).toEqual([
      expect.objectContaining({
        model: 'text-embedding-3-small',
        outcome: 'error',
        input_tokens: 0,
        error_code: expect.any(String),
      }),
    ]);
  });

  it('cancels the upstream call when the client goes away', async () => {
    const text = `slow ${process.pid}`;
    const aborter = new AbortController();
    const pending = client.embeddings
      .create(
        {
          model: 'openai/text-embedding-3-small',
          input: `${text} ${mockDirective({ delay_ms: 30_000 })}`,
        },
        { signal: aborter.signal },
      )
      .catch((e: unknown) => e);
    const isOurs = (r: { path: string; body?: unknown }) =>
      r.path.endsWith('/embeddings') && JSON.stringify(r.body).includes(text);
    await mock.waitFor(isOurs);
    aborter.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    // The gateway closed its upstream request: the mock saw it aborted, long before its delay.
    const upstream = await mock.waitFor((r) => isOurs(r) && r.aborted === true);
    expect(upstream.aborted).toBe(true);
  });

  it('refuses a service without embeddings with a 400 naming it', async () => {
    const err = await client.embeddings
      .create({ model: 'anthropic/claude-sonnet-4-6', input: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /anthropic offers no embeddings/,
    );
  });

  it('refuses a chat model, empty input and too many inputs with 400', async () => {
    const bad = async (body: OpenAI.EmbeddingCreateParams, param: string) => {
      const err = await client.embeddings.create(body).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    };
    await bad({ model: 'openai/gpt-4o-mini', input: 'x' }, 'model');
    await bad({ model: 'openai/text-embedding-3-small', input: '' }, 'input');
    await bad({ model: 'openai/text-embedding-3-small', input: [] }, 'input');
    await bad(
      { model: 'openai/text-embedding-3-small', input: Array<string>(2049).fill('a') },
      'input',
    );
    await bad({ model: 'openai/text-embedding-ada-002', input: 'x', dimensions: 10 }, 'dimensions');
  });

  it('answers 404 for an unknown model', async () => {
    const err = await client.embeddings
      .create({ model: 'openai/no-such-embedder', input: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('retrieves one model by its slash id (percent-encoded by the SDK) and 404s unknown ids', async () => {
    const model = await client.models.retrieve('openai/gpt-4o-mini');
    expect(model).toMatchObject({ id: 'openai/gpt-4o-mini', object: 'model', owned_by: 'openai' });
    expect(typeof model.created).toBe('number');
    const nested = await client.models.retrieve('openrouter/openai/text-embedding-3-small');
    expect(nested.id).toBe('openrouter/openai/text-embedding-3-small');
    const plain = await fetch(`${gw.url}/v1/models/openai/gpt-4o-mini`, {
      headers: authHeaders(signToken({ org_id: org })),
    });
    expect(((await plain.json()) as { id: string }).id).toBe('openai/gpt-4o-mini');
    const err = await client.models.retrieve('openai/no-such-model').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('documents both routes in Swagger with 2xx and 4xx responses', async () => {
    const doc = (await (await fetch(`${gw.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const embeddings = doc.paths['/v1/embeddings'].post.responses;
    expect(Object.keys(embeddings)).toEqual(expect.arrayContaining(['200', '400', '404']));
    const retrieve = Object.entries(doc.paths).find(([p]) => p.startsWith('/v1/models/'));
    expect(retrieve).toBeDefined();
    expect(Object.keys(retrieve![1].get.responses)).toEqual(expect.arrayContaining(['200', '404']));
  });
});
