import { Injectable } from '@nestjs/common';
import { ClientPool } from '../client-pool';
import { SERVICES, type ServiceName } from '../provider.types';
import { AnthropicAdapter } from './anthropic.adapter';
import { GeminiAdapter } from './gemini.adapter';
import { GroqAdapter } from './groq.adapter';
import { MistralAdapter } from './mistral.adapter';
import { OpenAIAdapter } from './openai.adapter';
import { OpenRouterAdapter } from './openrouter.adapter';
import type { ProviderAdapter } from './provider-adapter';

type AdapterClass = new (pool: ClientPool) => ProviderAdapter;

/** One line per service. Adding a service: one adapter file, one line here (and the catalog). */
export const ADAPTERS: Record<ServiceName, AdapterClass> = {
  openai: OpenAIAdapter,
  anthropic: AnthropicAdapter,
  groq: GroqAdapter,
  gemini: GeminiAdapter,
  mistral: MistralAdapter,
  openrouter: OpenRouterAdapter,
};

/** The adapters, instantiated once and shared (they hold no per-request state). */
@Injectable()
export class AdapterRegistry {
  private readonly adapters: ReadonlyMap<ServiceName, ProviderAdapter>;

  constructor(pool: ClientPool) {
    this.adapters = new Map(SERVICES.map((s) => [s, new ADAPTERS[s](pool)]));
  }

  get(service: ServiceName): ProviderAdapter {
    const adapter = this.adapters.get(service);
    if (!adapter) throw new Error(`no adapter registered for ${service}`);
    return adapter;
  }
}
