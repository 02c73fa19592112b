import Anthropic from '@anthropic-ai/sdk';
import { Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { EgressPolicy } from '../../common/egress';
import { createNodeFetch } from './http/node-fetch';

export interface ClientCredentials {
  apiKey: string;
  baseUrl: string;
  /** The base URL is an org's own (tenant input), not the deployment's: egress-checked. */
  tenant?: boolean;
}

/** Without the deployment's policy (a bare module in a test), tenant URLs get the strictest one. */
const STRICT_POLICY = new EgressPolicy({ allowPrivate: false, allowlist: [] });

/** Orgs can bring their own keys; cap the pool so a long-lived process cannot grow without bound. */
const MAX_CLIENTS = 256;

/**
 * SDK clients built once per (service, key, base URL, trust) and reused. Constructing a client
 * per request would throw away its configuration work. Clients send through one of two node:http
 * fetches (see http/node-fetch.ts), each with its own keep-alive pool: the trusted one for the
 * deployment's endpoints (the environment's base URLs and the providers' own), unchecked, and
 * the egress-checked one for base URLs an org configured. The trust is part of the client key,
 * so a trusted client or socket is never used for a tenant's URL, even an identical one.
 * SDK retries are disabled: the resilience layer owns retries.
 */
@Injectable()
export class ClientPool {
  private readonly clients = new Map<string, OpenAI | Anthropic>();
  private readonly trustedFetch = createNodeFetch();
  private readonly tenantFetch: typeof globalThis.fetch;

  constructor(@Optional() egress?: EgressPolicy) {
    this.tenantFetch = createNodeFetch({ egress: egress ?? STRICT_POLICY });
  }

  openai(service: string, creds: ClientCredentials, headers: Record<string, string> = {}): OpenAI {
    return this.getOrCreate(
      `openai|${service}|${trust(creds)}|${fingerprint(creds)}`,
      () =>
        new OpenAI({
          apiKey: creds.apiKey,
          baseURL: creds.baseUrl,
          maxRetries: 0,
          defaultHeaders: headers,
          fetch: this.fetchFor(creds),
          // The SDK would log raw upstream chunks on parse errors; we report errors ourselves.
          logLevel: 'off',
        }),
      (c): c is OpenAI => c instanceof OpenAI,
    );
  }

  anthropic(creds: ClientCredentials): Anthropic {
    return this.getOrCreate(
      `anthropic|${trust(creds)}|${fingerprint(creds)}`,
      () =>
        new Anthropic({
          apiKey: creds.apiKey,
          baseURL: creds.baseUrl,
          maxRetries: 0,
          logLevel: 'off',
          fetch: this.fetchFor(creds),
          // No spans: the gateway has its own metrics and must not export prompts anywhere.
          openTelemetry: false,
        }),
      (c): c is Anthropic => c instanceof Anthropic,
    );
  }

  private fetchFor(creds: ClientCredentials): typeof globalThis.fetch {
    return creds.tenant ? this.tenantFetch : this.trustedFetch;
  }

  get size(): number {
    return this.clients.size;
  }

  private getOrCreate<T extends OpenAI | Anthropic>(
    key: string,
    create: () => T,
    is: (c: OpenAI | Anthropic) => c is T,
  ): T {
    const existing = this.clients.get(key);
    if (existing && is(existing)) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.clients.delete(key);
      this.clients.set(key, existing);
      return existing;
    }
    const client = create();
    this.clients.set(key, client);
    if (this.clients.size > MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest !== undefined) this.clients.delete(oldest);
    }
    return client;
  }
}

const trust = (creds: ClientCredentials) => (creds.tenant ? 'tenant' : 'trusted');

/** The key never appears in map keys or logs, only its hash. */
export function fingerprint(creds: ClientCredentials): string {
  return createHash('sha256')
    .update(creds.apiKey)
    .update('\0')
    .update(creds.baseUrl)
    .digest('hex')
    .slice(0, 16);
}
