import type { Usage } from '../../providers';

export const ZERO_USAGE: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  total_tokens: 0,
  cached_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: 0,
};

/** Adds usage of several provider rounds; unknown cost anywhere makes the total unknown. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    cached_tokens: a.cached_tokens + b.cached_tokens,
    ...(a.cache_write_tokens || b.cache_write_tokens
      ? { cache_write_tokens: (a.cache_write_tokens ?? 0) + (b.cache_write_tokens ?? 0) }
      : {}),
    ...(a.cache_write_1h_tokens || b.cache_write_1h_tokens
      ? {
          cache_write_1h_tokens: (a.cache_write_1h_tokens ?? 0) + (b.cache_write_1h_tokens ?? 0),
        }
      : {}),
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
    cost_usd:
      a.cost_usd === null || b.cost_usd === null ? null : roundCost(a.cost_usd + b.cost_usd),
  };
}

/**
 * Float noise off, at costOf's 1e-10 USD: rounding to whole micro-dollars here would record a
 * call's cost up to $0.0000005 off the price sheet, and sums of many calls further off.
 */
function roundCost(n: number): number {
  return Math.round(n * 1e10) / 1e10;
}
