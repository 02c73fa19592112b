import { randomUUID } from 'node:crypto';
import { mockBaseUrls } from '../../support/gateway-with-mock';
import { callJson } from '../../support/json';
import { startMockUpstream } from '../../mock-upstream/server';
import { authHeaders, signToken, startTestApp, type TestApp } from '../../support/test-app';
import { startMockProcess } from './mock-process';

/** Ids and credentials of the records an attack needs to aim at. */
export interface Fixtures {
  orgId: string;
  /** JWT with `admin` and `deployment:admin` in org `orgId`. */
  adminToken: string;
  /** JWT without scopes in the same org. */
  userToken: string;
  /** Another org, and a JWT with `admin` in it. */
  otherOrgId: string;
  otherOrgToken: string;
  agentId: string;
  toolId: string;
  apiKeyId: string;
  providerKeyId: string;
  threadId: string;
}

export interface SecurityGateway {
  gw: TestApp;
  fx: Fixtures;
  close(): Promise<void>;
}

export interface SecurityGatewayOptions {
  /** Run the mock upstream in its own process (for measurements of the gateway's loop). */
  mockInOwnProcess?: boolean;
}

/**
 * The whole gateway (embedded stores) in front of the mock upstream, with rate limits high
 * enough that a long attack run is not turned into 429s before reaching validation (the
 * limiter still runs on every request), and a few records to aim at.
 */
export async function startSecurityGateway(
  env: Record<string, string | undefined> = {},
  opts: SecurityGatewayOptions = {},
): Promise<SecurityGateway> {
  const mock = opts.mockInOwnProcess ? await startMockProcess() : await startMockUpstream();
  let gw: TestApp | undefined;
  const close = async () => {
    await gw?.close();
    await mock.close();
  };
  try {
    gw = await startTestApp({
      ...mockBaseUrls(mock.url),
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_THREAD_PER_MINUTE: '1000000',
      ...env,
    });
    return { gw, fx: await createFixtures(gw.url), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Long enough for a slow run on a loaded machine (test-app's default is 5 minutes). */
const TOKEN_LIFETIME = { expiresIn: '2h' } as const;

async function createFixtures(url: string): Promise<Fixtures> {
  // Unique per boot: on real servers, earlier runs' records are still there.
  const run = randomUUID().slice(0, 8);
  const orgId = `org-sec-${run}`;
  const otherOrgId = `org-other-${run}`;
  const adminToken = signToken(
    { sub: 'sec-admin', org_id: orgId, scopes: ['admin', 'deployment:admin'] },
    TOKEN_LIFETIME,
  );
  const admin = authHeaders(adminToken);
  const created = async (path: string, body: unknown): Promise<string> => {
    const res = await callJson(url, 'POST', path, admin, body);
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`fixture ${path}: ${res.status} ${res.text}`);
    }
    return res.body.data.id as string;
  };
  const toolId = await created('/api/v1/tools', {
    name: 'get_weather',
    description: 'Weather for a city',
    url: 'https://tools.example.com/weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  });
  const agentId = await created('/api/v1/agents', {
    name: 'sec-agent',
    service: 'openai',
    model: 'gpt-4o-mini',
    prompt: 'You help {{customer}}.',
    configuration: { temperature: 0.2 },
    tool_ids: [toolId],
  });
  const apiKeyId = await created('/api/v1/api-keys', { name: 'sec-key', scopes: [] });
  const providerKeyId = await created('/api/v1/provider-keys', {
    service: 'mistral',
    api_key: 'sk-sec-0123456789',
  });
  const threadId = 'sec-thread-1';
  const completion = await callJson(url, 'POST', '/api/v2/model/chat/completion', admin, {
    agent_id: agentId,
    user: 'hello',
    thread_id: threadId,
    variables: { customer: 'Ada' },
  });
  if (completion.status !== 200) {
    throw new Error(`fixture thread: ${completion.status} ${completion.text}`);
  }
  return {
    orgId,
    adminToken,
    otherOrgId,
    userToken: signToken({ sub: 'sec-user', org_id: orgId, scopes: [] }, TOKEN_LIFETIME),
    otherOrgToken: signToken(
      { sub: 'other-admin', org_id: otherOrgId, scopes: ['admin'] },
      TOKEN_LIFETIME,
    ),
    agentId,
    toolId,
    apiKeyId,
    providerKeyId,
    threadId,
  };
}
