import { randomBytes, randomUUID } from 'node:crypto';
import { deleteTopology } from '../../queue/rabbitmq.kit';
import { FaultProxy } from '../../support/fault-proxy';
import { SERVICE_URLS } from '../../support/services';
import { signToken } from '../../support/test-app';
import type { GatewayProcess } from './gateway-process';
import { StoreReader } from './stores';

export type ServiceName = 'postgres' | 'redis' | 'rabbitmq' | 'mongodb';

/** Which real services a scenario's gateways use (each behind its own fault proxy). */
export interface Topology {
  /** Documents on MongoDB (FerretDB) rather than PostgreSQL. */
  mongo?: boolean;
  redis?: boolean;
  rabbitmq?: boolean;
}

/**
 * The real services of one scenario, each behind a FaultProxy, and the gateway environment
 * that reaches them through the proxies. Names (queue prefix, org ids) are unique per run so
 * parallel and earlier runs never meet.
 */
export class FaultEnv {
  readonly run = `${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  readonly prefix = `aimwfault-${this.run}`;
  readonly proxies = new Map<ServiceName, FaultProxy>();
  readonly env: Record<string, string> = {};
  reader!: StoreReader;

  private constructor(private readonly topology: Topology) {}

  static async start(topology: Topology, extra: Record<string, string> = {}): Promise<FaultEnv> {
    const f = new FaultEnv(topology);
    await f.init(extra);
    return f;
  }

  proxy(name: ServiceName): FaultProxy {
    const p = this.proxies.get(name);
    if (!p) throw new Error(`no ${name} in this scenario`);
    return p;
  }

  /** A JWT for `org` (admin, so it can create agents). */
  token(org: string, scopes: string[] = ['admin']): string {
    return adminToken(org, scopes);
  }

  /** Creates an agent through the gateway; its id. */
  agent(gw: GatewayProcess, org: string, body: Record<string, unknown> = {}): Promise<string> {
    return createAgent(gw.url, org, body);
  }

  /** Every proxy back to normal (after a test, whatever it left behind). */
  async restoreAll(): Promise<void> {
    for (const p of this.proxies.values()) await p.restore();
  }

  async close(): Promise<void> {
    await this.reader?.close();
    for (const p of this.proxies.values()) await p.close();
    if (this.topology.rabbitmq) {
      await deleteTopology(
        SERVICE_URLS.RABBITMQ_URL!,
        this.prefix,
        ['completion', 'error_webhook', 'post_answer'].map((type) => ({ type, maxAttempts: 10 })),
      ).catch(() => undefined);
    }
  }

  private async init(extra: Record<string, string>): Promise<void> {
    const via = async (name: ServiceName, url: string) => {
      const { proxy, url: proxied } = await FaultProxy.in(url);
      this.proxies.set(name, proxy);
      return proxied;
    };
    this.env.DATABASE_URL = await via('postgres', SERVICE_URLS.DATABASE_URL!);
    if (this.topology.mongo) this.env.MONGODB_URI = await via('mongodb', SERVICE_URLS.MONGODB_URI!);
    if (this.topology.redis) this.env.REDIS_URL = await via('redis', SERVICE_URLS.REDIS_URL!);
    if (this.topology.rabbitmq) {
      this.env.RABBITMQ_URL = await via('rabbitmq', SERVICE_URLS.RABBITMQ_URL!);
      this.env.QUEUE_PREFIX = this.prefix;
    }
    Object.assign(this.env, {
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      OPENAI_BASE_URL: '',
      RATE_LIMIT_USER_PER_MINUTE: '1000000',
      RATE_LIMIT_THREAD_PER_MINUTE: '1000000',
      EGRESS_ALLOWLIST: '127.0.0.1',
      ...extra,
    });
    this.reader = await StoreReader.open(
      SERVICE_URLS.DATABASE_URL!,
      this.topology.mongo ? SERVICE_URLS.MONGODB_URI : undefined,
    );
  }
}

/** A JWT for `org`, admin by default (it can create agents and read call logs). */
export function adminToken(org: string, scopes: string[] = ['admin']): string {
  return signToken({ org_id: org, scopes, sub: `admin-${org}` }, { expiresIn: '1h' });
}

/** Creates an agent (OpenAI gpt-4o-mini unless `body` says otherwise); its id. */
export async function createAgent(
  url: string,
  org: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await fetch(`${url}/api/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken(org)}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'fault',
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'You answer briefly.',
      ...body,
    }),
  });
  const parsed = (await res.json()) as { data?: { id: string } };
  if (res.status !== 201 || !parsed.data) {
    throw new Error(`creating an agent answered ${res.status}: ${JSON.stringify(parsed)}`);
  }
  return parsed.data.id;
}
