import type { Usage } from '../provider.types';
import type { ModelPricing, PriceRates } from './catalog.types';

/**
 * Cost in USD of one call's usage, from the model's price sheet. Usage follows OpenAI's
 * semantics, which every adapter normalises to:
 * - `input_tokens` counts every prompt token; `cached_tokens` (cache reads) and
 *   `cache_write_tokens` (cache writes, of which `cache_write_1h_tokens` were 1-hour writes) are
 *   parts of it, each billed at its own rate, the rest at the input rate;
 * - `output_tokens` counts every generated token; `reasoning_tokens` is part of it, billed at
 *   the reasoning rate where the model has one (else as output).
 * A prompt above the long-context tier's threshold bills the whole request at the tier's rates.
 * Rounded to 1e-10 to hide float noise.
 */
export function costOf(pricing: ModelPricing, usage: Usage): number {
  const tier = pricing.long_context;
  const rates: PriceRates = tier && usage.input_tokens > tier.above_input_tokens ? tier : pricing;
  const input = Math.max(0, usage.input_tokens);
  // Parts of the input, clamped so that a malformed report never bills more tokens than sent.
  const cacheRead = clamp(usage.cached_tokens, input);
  const cacheWrite = clamp(usage.cache_write_tokens ?? 0, input - cacheRead);
  const write1h = clamp(usage.cache_write_1h_tokens ?? 0, cacheWrite);
  const output = Math.max(0, usage.output_tokens);
  const reasoning = clamp(usage.reasoning_tokens, output);

  const writeRate = rates.cache_write_per_mtok ?? rates.input_per_mtok;
  const micro =
    (input - cacheRead - cacheWrite) * rates.input_per_mtok +
    cacheRead * (rates.cached_input_per_mtok ?? rates.input_per_mtok) +
    (cacheWrite - write1h) * writeRate +
    write1h * (rates.cache_write_1h_per_mtok ?? writeRate) +
    (output - reasoning) * rates.output_per_mtok +
    reasoning * (rates.reasoning_per_mtok ?? rates.output_per_mtok);
  return Math.round((micro / 1_000_000) * 1e10) / 1e10;
}

function clamp(n: number, max: number): number {
  return Math.min(Math.max(0, n), Math.max(0, max));
}
