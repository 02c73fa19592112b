import { mockDirective } from '../mock-upstream/server';
import { startHookReceiver } from '../live-config/receiver';
import { eventually } from '../queue/eventually';
import { callJson } from '../support/json';
import { SERVICE_URLS, describeWithServices } from '../support/services';
import { authHeaders } from '../support/test-app';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * What the stores can hold. Request strings with NUL or lone surrogates never reach them (the
 * input-limit specs), but other values do: keys MongoDB-compatible stores refuse (`$schema`,
 * dotted names) and model output with NUL characters, which PostgreSQL refuses. Each must be
 * stored, or the request refused with a 4xx, on every store the gateway runs on.
 */
const ENCRYPTION_KEY = 'ab'.repeat(32);

function storeBehaviour(env: () => Record<string, string | undefined>): void {
  let g: SecurityGateway;
  const admin = () => authHeaders(g.fx.adminToken);

  beforeAll(async () => {
    // The webhook receiver of the async case listens on 127.0.0.1.
    g = await startSecurityGateway({ ENCRYPTION_KEY, EGRESS_ALLOW_PRIVATE: 'true', ...env() });
  });
  afterAll(async () => {
    await g?.close();
  });

  it('keeps configuration keys with $, dots or nothing in them, as sent', async () => {
    const configuration = { $where: 1, 'a.b': { $gt: 2, 'c.d': [{ $x: 'y' }] }, '': 3 };
    const created = await callJson(g.gw.url, 'POST', '/api/v1/agents', admin(), {
      name: 'odd-keys',
      service: 'openai',
      model: 'gpt-4o-mini',
      configuration,
    });
    expect(created.status).toBe(201);
    const read = await callJson(g.gw.url, 'GET', `/api/v1/agents/${created.body.data.id}`, admin());
    expect(read.body.data.configuration).toEqual(configuration);
    const patched = await callJson(
      g.gw.url,
      'PATCH',
      `/api/v1/agents/${created.body.data.id}`,
      admin(),
      {
        configuration: { ...configuration, 'e.f': 4 },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.data.configuration).toEqual({ ...configuration, 'e.f': 4 });
  });

  it('keeps a JSON Schema with $schema, $ref, $defs and dotted property names', async () => {
    const parameters = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { 'geo.city': { $ref: '#/$defs/city' }, toString: { type: 'string' } },
      $defs: { city: { type: 'string' } },
    };
    const created = await callJson(g.gw.url, 'POST', '/api/v1/tools', admin(), {
      name: 'schema_keys',
      url: 'https://tools.example.com/x',
      parameters,
    });
    expect(created.status).toBe(201);
    const read = await callJson(g.gw.url, 'GET', `/api/v1/tools/${created.body.data.id}`, admin());
    expect(read.body.data.parameters).toEqual(parameters);
  });

  it('stores model output that holds NUL characters (as U+FFFD) in the thread', async () => {
    const threadId = `nul-output-${Date.now()}`;
    const res = await callJson(g.gw.url, 'POST', '/api/v2/model/chat/completion', admin(), {
      agent_id: g.fx.agentId,
      user: `hi ${mockDirective({ content: 'a\u0000b' })}`,
      thread_id: threadId,
      variables: { customer: 'x' },
    });
    expect(res.status).toBe(200);
    // The append runs after the answer: read the thread until it is there.
    const messages = await eventually('the exchange in the thread', async () => {
      const read = await callJson(g.gw.url, 'GET', `/api/v1/threads/${threadId}/messages`, admin());
      return read.status === 200 && read.body.data.length >= 2
        ? (read.body.data as Array<{ role: string; content: unknown }>)
        : undefined;
    });
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1].content).toBe('a\ufffdb');
  });

  it("keeps an async completion's answer that holds NUL characters (as U+FFFD)", async () => {
    const hooks = await startHookReceiver();
    try {
      const submitted = await callJson(g.gw.url, 'POST', '/api/v2/model/chat/completion', admin(), {
        agent_id: g.fx.agentId,
        user: `later ${mockDirective({ content: 'c\u0000d' })}`,
        variables: { customer: 'x' },
        response_format: { type: 'webhook', url: hooks.url },
      });
      expect(submitted.status).toBe(202);
      const jobPath = `/api/v2/model/jobs/${submitted.body.data.job_id}`;
      const job = await eventually('the job to complete', async () => {
        const read = await callJson(g.gw.url, 'GET', jobPath, admin());
        return read.body.data?.status === 'completed' ? read.body.data : undefined;
      });
      expect(job.result.content).toBe('c\ufffdd');
      expect(hooks.received).toHaveLength(1);
    } finally {
      await hooks.close();
    }
  });
}

describe('stores: embedded (PGlite)', () => {
  storeBehaviour(() => ({}));
});

describeWithServices(['DATABASE_URL'], 'stores: PostgreSQL alone', () => {
  storeBehaviour(() => ({ DATABASE_URL: SERVICE_URLS.DATABASE_URL }));
});

describeWithServices(
  ['MONGODB_URI', 'DATABASE_URL'],
  'stores: MongoDB protocol and PostgreSQL',
  () => {
    storeBehaviour(() => ({
      MONGODB_URI: SERVICE_URLS.MONGODB_URI,
      DATABASE_URL: SERVICE_URLS.DATABASE_URL,
    }));
  },
);
