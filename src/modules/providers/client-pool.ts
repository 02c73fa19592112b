import { Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EgressPolicy } from '../../common/egress';
import { createNodeFetch } from './http/node-fetch';

export interface ClientCredentials {
  apiKey: string;
  baseUrl: string;
  /** The base URL is an org's own (tenant input), not the deployment's: egress-checked. */
  tenant?: boolean;
}

export interface ClientKey extends ClientCredentials {
  /**
   * Who builds the client and for which service (`openai|groq`, `anthropic|anthropic`): clients of
   * different scopes never mix, so one scope always gets back the kind of client it built.
   */
  scope: string;
}

type Fetch = typeof globalThis.fetch;

/**
 * What `create` gets to build a client with, in the option names the official SDKs share: the
 * credentials, the fetch the client must send through, and no SDK retries (the resilience layer
 * owns retries).
 */
export interface ClientConnection {
  apiKey: string;
  baseURL: string;
  fetch: Fetch;
  maxRetries: 0;
}

/** Without the deployment's policy (a bare module in a test), tenant URLs get the strictest one. */
const STRICT_POLICY = new EgressPolicy({ allowPrivate: false, allowlist: [] });

/** Orgs can bring their own keys; cap the pool so a long-lived process cannot grow without bound. */
const MAX_CLIENTS = 256;

/**
 * Provider clients built once per (scope, key, base URL, trust) and reused, least recently used
 * dropped first. Constructing a client per request would throw away its configuration work.
 * The pool knows no SDK: adapters build their own clients with `create`, which receives the
 * connection options, among them the fetch the client must send through (see http/node-fetch.ts), each with its own keep-alive pool: the
 * trusted one for the deployment's endpoints (the environment's base URLs and the providers' own),
 * unchecked, and the egress-checked one for base URLs an org configured. The trust is part of the
 * client key and the pool picks the fetch, so a trusted client or socket is never used for a
 * tenant's URL, even an identical one.
 */
@Injectable()
export class ClientPool {
  private readonly clients = new Map<string, unknown>();
  private readonly trustedFetch = createNodeFetch();
  private readonly tenantFetch: Fetch;

  constructor(@Optional() egress?: EgressPolicy) {
    this.tenantFetch = createNodeFetch({ egress: egress ?? STRICT_POLICY });
  }

  get<T>(key: ClientKey, create: (conn: ClientConnection) => T): T {
    const id = `${key.scope}|${key.tenant ? 'tenant' : 'trusted'}|${fingerprint(key)}`;
    const existing = this.clients.get(id);
    if (existing !== undefined) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.clients.delete(id);
      this.clients.set(id, existing);
      // Safe: an id embeds its scope, and a scope builds one kind of client.
      return existing as T;
    }
    const client = create({
      apiKey: key.apiKey,
      baseURL: key.baseUrl,
      fetch: key.tenant ? this.tenantFetch : this.trustedFetch,
      maxRetries: 0,
    });
    this.clients.set(id, client);
    if (this.clients.size > MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }
}

/** The key never appears in map keys or logs, only its hash. */
export function fingerprint(creds: ClientCredentials): string {
  return createHash('sha256')
    .update(creds.apiKey)
    .update('\0')
    .update(creds.baseUrl)
    .digest('hex')
    .slice(0, 16);
}
