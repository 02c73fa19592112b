import { mockDirective } from '../mock-upstream/server';
import { startGatewayWithMock, type GatewayWithMock } from '../support/gateway-with-mock';
import { authHeaders, signToken } from '../support/test-app';
import { until } from '../live-config/polling';

/**
 * A stand-in for the `atatus-nodejs` agent (the package is not installed): the gateway must
 * require it only when ATATUS_LICENSE_KEY is set, start it with the key, and report server
 * errors (with context, no secrets) and one transaction per HTTP request through it.
 */
interface FakeTransaction {
  name: string;
  type: string;
  result?: string;
  outcome?: string;
  ended: boolean;
  setOutcome(o: string): void;
  end(result?: string): void;
}
const mockAtatus = {
  started: [] as Array<Record<string, unknown>>,
  errors: [] as Array<{ error: Error; custom: Record<string, unknown> | undefined }>,
  transactions: [] as FakeTransaction[],
  start(options: Record<string, unknown>) {
    mockAtatus.started.push(options);
    return mockAtatus;
  },
  captureError(error: Error, opts?: { custom?: Record<string, unknown> }) {
    mockAtatus.errors.push({ error, custom: opts?.custom });
  },
  startTransaction(name: string, type: string): FakeTransaction {
    const tx: FakeTransaction = {
      name,
      type,
      ended: false,
      setOutcome: (o) => (tx.outcome = o),
      end: () => (tx.ended = true),
    };
    mockAtatus.transactions.push(tx);
    return tx;
  },
  flush(cb: () => void) {
    cb();
  },
};
jest.mock('atatus-nodejs', () => mockAtatus, { virtual: true });

const KEY = 'sk-deployment-openai-key-do-not-leak-0123456789';

describe('APM (Atatus)', () => {
  let t: GatewayWithMock | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('loads nothing without ATATUS_LICENSE_KEY', async () => {
    const started = mockAtatus.started.length;
    const transactions = mockAtatus.transactions.length;
    t = await startGatewayWithMock({});
    expect((await fetch(`${t.gw.url}/health/live`)).status).toBe(200);
    expect(mockAtatus.started.length).toBe(started);
    expect(mockAtatus.transactions.length).toBe(transactions);
  });

  it('starts the agent with the key and reports server errors and transactions', async () => {
    t = await startGatewayWithMock({
      ATATUS_LICENSE_KEY: 'atatus-test-license',
      OPENAI_API_KEY: KEY,
      PROVIDER_MAX_RETRIES: '0',
    });
    expect(mockAtatus.started.at(-1)).toEqual({
      licenseKey: 'atatus-test-license',
      appName: 'ai-middleware',
    });
    const errorsBefore = mockAtatus.errors.length;
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(signToken({ org_id: 'org-apm' })),
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: `private words ${mockDirective({ status: 500 })}` }],
      }),
    });
    expect(res.status).toBe(502);
    const requestId = res.headers.get('x-request-id');

    const reported = await until('the APM error', () => mockAtatus.errors.slice(errorsBefore)[0]);
    expect(reported.custom).toMatchObject({
      code: 'PROVIDER_ERROR',
      status: 502,
      request_id: requestId,
      route: '/v1/chat/completions',
      org_id: 'org-apm',
      service: 'openai',
      model: 'gpt-4o-mini',
    });
    const sent = `${reported.error.message} ${reported.error.stack} ${JSON.stringify(reported.custom)}`;
    expect(sent).not.toContain(KEY);
    expect(sent).not.toContain('private words');

    const tx = await until('the request transaction', () =>
      mockAtatus.transactions.find((x) => x.name === 'POST /v1/chat/completions' && x.ended),
    );
    expect(tx).toMatchObject({ type: 'request', result: 'HTTP 5xx', outcome: 'failure' });

    // Client errors are timed, not reported as errors.
    const errorsNow = mockAtatus.errors.length;
    const missing = await fetch(`${t.gw.url}/api/v1/agents/agt_nosuchagentnosuchage`, {
      headers: authHeaders(signToken({ org_id: 'org-apm' })),
    });
    expect(missing.status).toBe(404);
    await until('the 404 transaction', () =>
      mockAtatus.transactions.find((x) => x.name === 'GET /api/v1/agents/:id' && x.ended),
    );
    expect(mockAtatus.errors.length).toBe(errorsNow);
  });
});
