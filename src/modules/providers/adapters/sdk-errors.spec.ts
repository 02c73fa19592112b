import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { translateAnthropicError } from './anthropic/anthropic.errors';
import { translateOpenAIError } from './openai-compatible/openai-compatible.errors';

/** Each adapter translates its own SDK's errors; the shared part knows no SDK. */
describe('SDK error translation per adapter', () => {
  const ctx = () => ({ signal: new AbortController().signal, timeoutMs: 1000, apiKey: 'sk-1' });

  it('openai: HTTP errors by status, stream errors by OpenAI error type, keys scrubbed', () => {
    const http = translateOpenAIError(
      'groq',
      OpenAI.APIError.generate(429, { message: 'slow down sk-1' }, 'x', new Headers()),
      ctx(),
    );
    expect(http).toMatchObject({ kind: 'rate_limited', status: 429, service: 'groq' });
    expect(http.message).not.toContain('sk-1');
    const inStream = translateOpenAIError(
      'openai',
      new OpenAI.APIError(
        undefined,
        { error: { type: 'server_error', message: 'boom' } },
        'x',
        undefined,
      ),
      ctx(),
    );
    expect(inStream).toMatchObject({ kind: 'server', details: { upstream_status: 500 } });
    expect(
      translateOpenAIError('openai', new OpenAI.APIConnectionTimeoutError(), ctx()),
    ).toMatchObject({ kind: 'timeout' });
    expect(translateOpenAIError('openai', new OpenAI.APIUserAbortError(), ctx())).toMatchObject({
      kind: 'aborted',
    });
  });

  it('anthropic: stream errors by Anthropic error type', () => {
    /** What the SDK throws for an `event: error` inside a stream: no HTTP status. */
    const inStream = (type: string) =>
      translateAnthropicError(
        'anthropic',
        new Anthropic.APIError(
          undefined,
          { type: 'error', error: { type, message: 'm' } },
          'x',
          undefined,
        ),
        ctx(),
      );
    expect(inStream('overloaded_error')).toMatchObject({
      kind: 'server',
      details: { upstream_status: 529 },
    });
    expect(inStream('authentication_error')).toMatchObject({
      kind: 'auth',
      details: { upstream_status: 401 },
    });
    // Not in Anthropic's vocabulary: an unclassified bad gateway.
    expect(inStream('rate_limit_exceeded')).toMatchObject({ details: { upstream_status: 502 } });
    expect(
      translateAnthropicError(
        'anthropic',
        new Anthropic.APIConnectionError({ message: 'reset' }),
        ctx(),
      ),
    ).toMatchObject({ kind: 'connection' });
  });
});
