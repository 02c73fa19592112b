import { z } from 'zod';

/** One deployment key (or deployment: key + base URL) of a service's pool, from the env. */
export interface DeploymentKey {
  apiKey: string;
  /** The member's own endpoint; else `<SERVICE>_BASE_URL`, else the service's public one. */
  baseUrl?: string;
  weight: number;
  /** Names the key in metrics and logs; defaults to the first 8 hex of its hash. */
  name?: string;
}

export const MAX_KEY_WEIGHT = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

const isHttpUrl = (v: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/**
 * `<SERVICE>_API_KEYS`: a JSON array, because keys may contain nearly any character (commas,
 * colons, `=`), so no delimiter-based syntax is unambiguous. Each entry is a key string
 * (weight 1) or `{ "key", "weight"?, "base_url"?, "name"? }`. Problems are reported by entry
 * index and never echo a key.
 */
export const deploymentKeysField = z
  .string()
  .optional()
  .transform((raw, ctx): DeploymentKey[] => {
    if (raw === undefined || raw.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // JSON.parse's message may quote the input (a key): say only what is expected.
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a JSON array of keys or {"key","weight","base_url","name"} objects, e.g. ["KEY1",{"key":"KEY2","weight":3}]',
      });
      return z.NEVER;
    }
    if (!Array.isArray(parsed) || parsed.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-empty JSON array' });
      return z.NEVER;
    }
    const keys: DeploymentKey[] = [];
    const problems: string[] = [];
    parsed.forEach((entry: unknown, i) => {
      const problem = (msg: string) => problems.push(`entry ${i}: ${msg}`);
      const obj: Record<string, unknown> =
        typeof entry === 'string'
          ? { key: entry }
          : typeof entry === 'object' && entry !== null && !Array.isArray(entry)
            ? (entry as Record<string, unknown>)
            : {};
      const unknown = Object.keys(obj).filter(
        (k) => !['key', 'weight', 'base_url', 'name'].includes(k),
      );
      if (unknown.length) return problem(`unknown field(s) ${unknown.join(', ')}`);
      const { key, weight = 1, base_url: baseUrl, name } = obj;
      if (typeof key !== 'string' || key.trim() === '' || /\s/.test(key))
        return problem('"key" must be a non-empty string without whitespace');
      if (
        typeof weight !== 'number' ||
        !Number.isInteger(weight) ||
        weight < 1 ||
        weight > MAX_KEY_WEIGHT
      )
        return problem(`"weight" must be an integer from 1 to ${MAX_KEY_WEIGHT}`);
      if (baseUrl !== undefined && (typeof baseUrl !== 'string' || !isHttpUrl(baseUrl)))
        return problem('"base_url" must be an http(s) URL');
      if (name !== undefined && (typeof name !== 'string' || !NAME.test(name)))
        return problem(
          '"name" must be 1-32 letters, digits, _ . or - (starting with a letter or digit)',
        );
      if (name !== undefined && keys.some((k) => k.name === name))
        return problem(`"name" ${name} is used twice`);
      keys.push({
        apiKey: key,
        weight,
        ...(baseUrl ? { baseUrl } : {}),
        ...(name ? { name } : {}),
      });
    });
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return problems.length ? z.NEVER : keys;
  });
