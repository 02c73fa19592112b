import { mockDirective, type RecordedRequest } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { json } from '../support/json';
import { authHeaders, signToken } from '../support/test-app';
import { BackgroundTasks } from '../../src/modules/completions/pipeline/background-tasks';

/**
 * A client that leaves a non-stream completion before its answer cancels the upstream call on
 * every ingress route. It is recorded as a stream the client left is: no call log (nobody was
 * answered, and nothing failed), no thread append; only the usage of provider rounds that
 * finished (none here).
 */
describe('a client leaving a completion, and a stream failing after it started', () => {
  let t: GatewayWithMock;
  let n = 0;
  const key = () => `ab${process.pid}-${++n}`;

  const post = (
    path: string,
    token: string,
    body: unknown,
    signal?: AbortSignal,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${t.gw.url}${path}`, {
      method: 'POST',
      headers: { ...authHeaders(token), 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
    });

  /** Sends the request, aborts it once the mock has it, and returns the mock's record. */
  const abortWhileUpstream = async (
    path: string,
    token: string,
    body: unknown,
    k: string,
    headers: Record<string, string> = {},
  ): Promise<RecordedRequest> => {
    const aborter = new AbortController();
    const pending = post(path, token, body, aborter.signal, headers).catch((e: unknown) => e);
    await t.mock.waitFor((r) => r.key === k);
    aborter.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    // The gateway closed its upstream request long before the mock's 30 s delay ended.
    return t.mock.waitFor((r) => r.key === k && r.aborted === true);
  };

  /** The org's call logs and thread messages, once background records are written. */
  const recorded = async (org: string, thread: string) => {
    await t.gw.app.get(BackgroundTasks).drain();
    const headers = authHeaders(signToken({ org_id: org, scopes: ['admin'] }));
    const logs = await json(await fetch(`${t.gw.url}/api/v1/call-logs`, { headers }));
    const history = await fetch(`${t.gw.url}/api/v1/threads/${thread}/messages`, { headers });
    return { logs: logs.data as unknown[], threadStatus: history.status };
  };

  beforeAll(async () => {
    t = await startGatewayWithMock();
  });
  afterAll(async () => {
    await t.close();
  });

  const slow = (k: string) => `take your time ${mockDirective({ key: k, delay_ms: 30_000 })}`;

  it.each([
    ['/v1/chat/completions', 'openai/gpt-4o-mini'],
    ['/v1/chat/completions', 'anthropic/claude-sonnet-4-6'],
    ['/v1/messages', 'gpt-4o-mini'],
    ['/v1/messages', 'anthropic/claude-sonnet-4-6'],
  ])('%s (%s) cancels the upstream call and records nothing as answered', async (path, model) => {
    const k = key();
    const org = `org-abort-${k}`;
    const thread = `th-${k}`;
    const token = signToken({ org_id: org });
    const body = {
      model,
      max_tokens: 64,
      messages: [{ role: 'user', content: slow(k) }],
    };
    const aborted = await abortWhileUpstream(path, token, body, k, { 'x-thread-id': thread });
    expect(aborted.aborted).toBe(true);
    const { logs, threadStatus } = await recorded(org, thread);
    expect(logs).toEqual([]);
    expect(threadStatus).toBe(404);
  });

  it('the agent completion route cancels the upstream call and records nothing as answered', async () => {
    const k = key();
    const org = `org-abort-${k}`;
    const thread = `th-${k}`;
    const res = await post('/api/v1/agents', signToken({ org_id: org, scopes: ['admin'] }), {
      name: `slow-${k}`,
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'You answer slowly.',
    });
    expect(res.status).toBe(201);
    const agent = (await json(res)).data as { id: string };
    const aborted = await abortWhileUpstream(
      '/api/v2/model/chat/completion',
      signToken({ org_id: org }),
      { agent_id: agent.id, user: slow(k), thread_id: thread },
      k,
    );
    expect(aborted.aborted).toBe(true);
    const { logs, threadStatus } = await recorded(org, thread);
    expect(logs).toEqual([]);
    expect(threadStatus).toBe(404);
  });

  it('a stream the client leaves is recorded the same way', async () => {
    const k = key();
    const org = `org-abort-${k}`;
    const thread = `th-${k}`;
    const aborter = new AbortController();
    const res = await post(
      '/v1/chat/completions',
      signToken({ org_id: org }),
      {
        model: 'openai/gpt-4o-mini',
        stream: true,
        messages: [
          { role: 'user', content: `one two three ${mockDirective({ key: k, stall_after: 2 })}` },
        ],
      },
      aborter.signal,
      { 'x-thread-id': thread },
    );
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    aborter.abort();
    await t.mock.waitFor((r) => r.key === k && r.aborted === true);
    const { logs, threadStatus } = await recorded(org, thread);
    expect(logs).toEqual([]);
    expect(threadStatus).toBe(404);
  });

  it('a /v1/chat/completions stream that fails after it started ends with an error event carrying the request id', async () => {
    const requestId = `req-stream-fail-${process.pid}`;
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        ...authHeaders(signToken()),
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        stream: true,
        messages: [
          {
            role: 'user',
            content: `a few words ${mockDirective({ stream_error: true, chunks: 3 })}`,
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const events = (await res.text())
      .split('\n\n')
      .filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>);
    // Content arrived first, then the failure.
    expect(events.length).toBeGreaterThan(1);
    expect(events[0]).toMatchObject({ object: 'chat.completion.chunk' });
    expect(events.at(-1)).toEqual({
      error: {
        message: expect.any(String),
        type: 'server_error',
        param: null,
        code: expect.any(String),
        request_id: requestId,
      },
    });
  });
});
