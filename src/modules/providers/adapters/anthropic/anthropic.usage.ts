import type { Usage } from '../../provider.types';
import { count, record } from '../usage';

/**
 * Anthropic usage. Its `input_tokens` excludes cache reads and cache writes, so the canonical
 * input count adds them back; `cached_tokens` is the cache reads, `cache_write_tokens` the writes,
 * of which `cache_creation.ephemeral_1h_input_tokens` were 1-hour writes (priced higher).
 */
export function usageFromAnthropic(raw: unknown): Usage {
  const u = record(raw);
  const cacheRead = count(u.cache_read_input_tokens);
  const cacheWrite = count(u.cache_creation_input_tokens);
  const write1h = Math.min(count(record(u.cache_creation).ephemeral_1h_input_tokens), cacheWrite);
  const input = count(u.input_tokens) + cacheRead + cacheWrite;
  const output = count(u.output_tokens);
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cached_tokens: cacheRead,
    ...(cacheWrite ? { cache_write_tokens: cacheWrite } : {}),
    ...(write1h ? { cache_write_1h_tokens: write1h } : {}),
    reasoning_tokens: count(record(u.output_tokens_details).thinking_tokens),
    cost_usd: null,
  };
}
