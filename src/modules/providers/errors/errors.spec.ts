import { scrubSecrets } from './scrub';
import { fromUpstreamStatus, retryAfterMs, upstreamMessage, upstreamParam } from './upstream-error';

describe('scrubSecrets', () => {
  it.each([
    ['Incorrect API key provided: sk-proj-abc***xyz. Find yours at ...', 'sk-proj-abc***xyz'],
    ['key sk-ant-api03-AAAAAAAAAAAAAAAAAAAA rejected', 'sk-ant-api03-AAAAAAAAAAAAAAAAAAAA'],
    ['bad gsk_1234567890abcdef', 'gsk_1234567890abcdef'],
    [
      'API key not valid: AIzaSyA-1234567890abcdefghijklmnopqr',
      'AIzaSyA-1234567890abcdefghijklmnopqr',
    ],
    ['header was Authorization: Bearer abc.def.ghi', 'abc.def.ghi'],
    ['mistral key 0123456789abcdefABCDEF0123456789 invalid', '0123456789abcdefABCDEF0123456789'],
  ])('removes credentials from %j', (text, secret) => {
    const out = scrubSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('removes the exact key used, whatever its shape', () => {
    expect(scrubSecrets('you sent my-odd-key-value!', ['my-odd-key-value'])).toBe(
      'you sent [redacted]!',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(scrubSecrets('temperature: Extra inputs are not permitted')).toBe(
      'temperature: Extra inputs are not permitted',
    );
  });
});

describe('upstream error details', () => {
  it('finds the message in each provider shape', () => {
    expect(upstreamMessage({ message: 'openai says', type: 'x' }, 'fallback')).toBe('openai says');
    expect(
      upstreamMessage({ type: 'error', error: { type: 'x', message: 'anthropic says' } }, 'f'),
    ).toBe('anthropic says');
    expect(
      upstreamMessage(
        { message: { detail: [{ msg: 'Extra inputs are not permitted', loc: ['body', 'seed'] }] } },
        'f',
      ),
    ).toBe('Extra inputs are not permitted');
    expect(upstreamMessage(undefined, 'fallback')).toBe('fallback');
  });

  it('finds the offending parameter', () => {
    expect(upstreamParam({ message: 'x', param: 'messages[0].content' }, 'x')).toBe(
      'messages[0].content',
    );
    expect(upstreamParam({ message: { detail: [{ loc: ['body', 'seed'], msg: 'x' }] } }, 'x')).toBe(
      'seed',
    );
    expect(
      upstreamParam({ error: { message: 'x' } }, 'temperature: Extra inputs are not permitted'),
    ).toBe('temperature');
    expect(upstreamParam({}, 'Something went wrong')).toBeUndefined();
  });

  it('reads Retry-After in every form', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(
      retryAfterMs(
        new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }),
        Date.UTC(2026, 0, 1),
      ),
    ).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it.each([
    [400, 'VALIDATION_FAILED', 400, 'client'],
    [422, 'VALIDATION_FAILED', 400, 'client'],
    [413, 'PAYLOAD_TOO_LARGE', 413, 'client'],
    [401, 'PROVIDER_ERROR', 502, 'auth'],
    [402, 'PROVIDER_ERROR', 502, 'auth'],
    [404, 'PROVIDER_ERROR', 502, 'refused'],
    [408, 'PROVIDER_ERROR', 502, 'server'],
    [429, 'RATE_LIMITED', 429, 'rate_limited'],
    [500, 'PROVIDER_ERROR', 502, 'server'],
    [529, 'PROVIDER_ERROR', 502, 'server'],
  ])('maps upstream %i to %s %i (%s)', (status, code, httpStatus, kind) => {
    const err = fromUpstreamStatus(
      'groq',
      { status, message: `${status} oops`, body: { message: 'oops' } },
      [],
    );
    expect(err).toMatchObject({
      code,
      status: httpStatus,
      kind,
      details: { upstream_status: status, service: 'groq' },
    });
  });

  it('scrubs the key out of the upstream message', () => {
    const err = fromUpstreamStatus(
      'openai',
      {
        status: 401,
        message: 'x',
        body: { message: 'Incorrect API key provided: sk-live-1234567890' },
      },
      ['sk-live-1234567890'],
    );
    expect(err.message).not.toContain('sk-live-1234567890');
  });
});
