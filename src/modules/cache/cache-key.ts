import { createHash } from 'node:crypto';
import type { ChatRequest } from '../providers';

/**
 * The cache key: a hash of the org and everything that changes the answer — service, model,
 * the full normalised message list, parameters, tools, tool choice and response format.
 * Object keys are sorted so logically equal requests hash the same.
 */
export function cacheKeyFor(orgId: string, req: ChatRequest): string {
  const material = stableStringify({
    org: orgId,
    service: req.service,
    model: req.model,
    messages: req.messages,
    params: req.params ?? {},
    tools: req.tools ?? null,
    tool_choice: req.tool_choice ?? null,
    parallel_tool_calls: req.parallel_tool_calls ?? null,
    response_format: req.response_format ?? null,
  });
  return `resp:v1:${createHash('sha256').update(material).digest('hex')}`;
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(',')}}`;
}
