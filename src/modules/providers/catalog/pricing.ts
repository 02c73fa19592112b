import type { Usage } from '../provider.types';
import type { ModelPricing } from './catalog.types';

/**
 * Cost in USD. Cached tokens are part of the input count (OpenAI semantics, which every adapter
 * normalises to) and billed at the cached rate when the model has one. Reasoning tokens are
 * already part of the output count. Rounded to 1e-10 to hide float noise.
 */
export function costOf(pricing: ModelPricing, usage: Usage): number {
  const cached = Math.min(usage.cached_tokens, usage.input_tokens);
  const cachedRate = pricing.cached_input_per_mtok ?? pricing.input_per_mtok;
  const micro =
    (usage.input_tokens - cached) * pricing.input_per_mtok +
    cached * cachedRate +
    usage.output_tokens * pricing.output_per_mtok;
  return Math.round((micro / 1_000_000) * 1e10) / 1e10;
}
