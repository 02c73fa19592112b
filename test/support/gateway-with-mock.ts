import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/server';
import { signToken, startTestApp, type TestApp } from './test-app';

export interface GatewayWithMock {
  gw: TestApp;
  mock: MockUpstream;
  /** The official OpenAI SDK pointed at the gateway, authenticated as `claims`. */
  client(claims?: Record<string, unknown>, opts?: { maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

/** Every service's base URL pointed at a mock upstream listening on `mockUrl`. */
export function mockBaseUrls(mockUrl: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    ANTHROPIC_BASE_URL: mockUrl,
    GROQ_BASE_URL: `${mockUrl}/openai/v1`,
    MISTRAL_BASE_URL: `${mockUrl}/v1`,
    OPENROUTER_BASE_URL: `${mockUrl}/api/v1`,
    GEMINI_BASE_URL: `${mockUrl}/v1beta/openai`,
  };
}

/** Boots the mock upstream and the gateway with every service pointed at it. */
export async function startGatewayWithMock(
  env: Record<string, string | undefined> = {},
): Promise<GatewayWithMock> {
  const mock = await startMockUpstream();
  const gw = await startTestApp({ ...mockBaseUrls(mock.url), ...env });
  return {
    gw,
    mock,
    client: (claims = {}, opts = {}) =>
      new OpenAI({
        baseURL: `${gw.url}/v1`,
        apiKey: signToken(claims),
        maxRetries: opts.maxRetries ?? 0,
      }),
    close: async () => {
      await gw.close();
      await mock.close();
    },
  };
}
