import Anthropic from '@anthropic-ai/sdk';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { createNodeFetch } from './http/node-fetch';

export interface ClientCredentials {
  apiKey: string;
  baseUrl: string;
}

/** Orgs can bring their own keys; cap the pool so a long-lived process cannot grow without bound. */
const MAX_CLIENTS = 256;

/**
 * SDK clients built once per (service, key, base URL) and reused. Constructing a client per
 * request would throw away its configuration work. Every client sends through one node:http
 * fetch (see http/node-fetch.ts), whose keep-alive agents pool the upstream connections for all
 * of them. SDK retries are disabled: the resilience layer owns retries.
 */
@Injectable()
export class ClientPool {
  private readonly clients = new Map<string, OpenAI | Anthropic>();
  private readonly fetch = createNodeFetch();

  openai(service: string, creds: ClientCredentials, headers: Record<string, string> = {}): OpenAI {
    return this.getOrCreate(
      `openai|${service}|${fingerprint(creds)}`,
      () =>
        new OpenAI({
          apiKey: creds.apiKey,
          baseURL: creds.baseUrl,
          maxRetries: 0,
          defaultHeaders: headers,
          fetch: this.fetch,
          // The SDK would log raw upstream chunks on parse errors; we report errors ourselves.
          logLevel: 'off',
        }),
      (c): c is OpenAI => c instanceof OpenAI,
    );
  }

  anthropic(creds: ClientCredentials): Anthropic {
    return this.getOrCreate(
      `anthropic|${fingerprint(creds)}`,
      () =>
        new Anthropic({
          apiKey: creds.apiKey,
          baseURL: creds.baseUrl,
          maxRetries: 0,
          logLevel: 'off',
          fetch: this.fetch,
          // No spans: the gateway has its own metrics and must not export prompts anywhere.
          openTelemetry: false,
        }),
      (c): c is Anthropic => c instanceof Anthropic,
    );
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

/** The key never appears in map keys or logs, only its hash. */
export function fingerprint(creds: ClientCredentials): string {
  return createHash('sha256')
    .update(creds.apiKey)
    .update('\0')
    .update(creds.baseUrl)
    .digest('hex')
    .slice(0, 16);
}
