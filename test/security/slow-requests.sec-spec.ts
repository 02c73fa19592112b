import { mockDirective } from '../mock-upstream/server';
import { expectRefusal } from './support/expect-refusal';
import { dribble, parseRawResponse, sendRaw } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * Slow-client attacks: a body (or headers) dribbled a byte at a time, or stalled half-way,
 * held a connection and its parser state open for as long as the client liked. A whole
 * request must now arrive within REQUEST_TIMEOUT_MS (1 s here); then the gateway answers 408
 * in the envelope and closes the connection. Answering may still take longer than that.
 */
describe('slow and stalled requests are cut off', () => {
  let g: SecurityGateway;
  const REQUEST_TIMEOUT_MS = 1000;

  beforeAll(async () => {
    g = await startSecurityGateway({ REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await g?.close();
  });

  const body = () =>
    JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  const head = (length: number) =>
    'POST /v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-type: application/json\r\n' +
    `authorization: Bearer ${g.fx.adminToken}\r\ncontent-length: ${length}\r\n\r\n`;

  function expectTimedOut(received: string): void {
    const res = parseRawResponse(received);
    expect(res).toBeDefined();
    expectRefusal(res!, { method: 'POST', path: '/' }, 408, /not received in time/);
  }

  it('a body dribbled one byte every 50 ms: 408 and the connection closed', async () => {
    const text = body();
    // Written in full, the body would take text.length * 50 ms (several seconds).
    const d = await dribble(g.gw.url, head(text.length), text, { everyMs: 50, giveUpMs: 15_000 });
    expect(d.closedByServer).toBe(true);
    expect(d.written).toBeLessThan(text.length);
    expectTimedOut(d.received);
  });

  it('a body that stalls half-way: 408 and the connection closed', async () => {
    const text = body();
    const half = text.slice(0, 20);
    // Sends half the body at once, then nothing more (the pacer has nothing left to send).
    const d = await dribble(g.gw.url, head(text.length) + half, '', {
      everyMs: 50,
      giveUpMs: 15_000,
    });
    expect(d.closedByServer).toBe(true);
    expectTimedOut(d.received);
  });

  it('headers dribbled one byte at a time: 408 and the connection closed', async () => {
    const headers = 'x-padding: ' + 'a'.repeat(2000) + '\r\n\r\n';
    const d = await dribble(g.gw.url, 'GET /health/live HTTP/1.1\r\nhost: gw\r\n', headers, {
      everyMs: 20,
      giveUpMs: 15_000,
    });
    expect(d.closedByServer).toBe(true);
    expect(d.written).toBeLessThan(headers.length);
    expectTimedOut(d.received);
  });

  it('a slow answer is not cut: only receiving the request is timed', async () => {
    const res = await sendRaw(g.gw.url, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { authorization: `Bearer ${g.fx.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-4o-mini',
        messages: [
          { role: 'user', content: `slow ${mockDirective({ delay_ms: 2 * REQUEST_TIMEOUT_MS })}` },
        ],
      }),
    });
    expect(res.status).toBe(200);
  });
});
