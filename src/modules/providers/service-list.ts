import type { AdapterClass, ServiceInfo } from './adapters/provider-adapter';
import { AnthropicAdapter } from './adapters/anthropic/anthropic.adapter';
import { GenericOpenAICompatibleAdapter } from './adapters/openai-compatible/generic.adapter';
import { GeminiAdapter } from './adapters/openai-compatible/gemini.adapter';
import { GroqAdapter } from './adapters/openai-compatible/groq.adapter';
import { MistralAdapter } from './adapters/openai-compatible/mistral.adapter';
import { OpenAIAdapter } from './adapters/openai-compatible/openai.adapter';
import { OpenRouterAdapter } from './adapters/openai-compatible/openrouter.adapter';

/**
 * THE service list: one line per service, its adapter class (which carries the service's name,
 * label and default base URL as `static info`). `SERVICES`, the config keys
 * (`<SERVICE>_API_KEY`, `<SERVICE>_BASE_URL`), the Swagger enums, the catalog files
 * (`catalog/services/<service>.json`) and the adapter registry all derive from it.
 */
export const SERVICE_ADAPTERS = [
  OpenAIAdapter,
  AnthropicAdapter,
  GroqAdapter,
  GeminiAdapter,
  MistralAdapter,
  OpenRouterAdapter,
  GenericOpenAICompatibleAdapter,
] as const;

export type ServiceName = (typeof SERVICE_ADAPTERS)[number]['info']['name'];

// Checked here rather than annotated on the list, which would widen the names to `string`.
const adapterClasses: readonly AdapterClass[] = SERVICE_ADAPTERS;

export const SERVICES: readonly ServiceName[] = adapterClasses.map(
  (a) => a.info.name as ServiceName,
);

const INFO = new Map<string, ServiceInfo>(adapterClasses.map((a) => [a.info.name, a.info]));

/** A service's entry in the list (name, label, default base URL). */
export function serviceInfo(service: ServiceName): ServiceInfo {
  return INFO.get(service)!;
}
