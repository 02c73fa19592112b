import { SERVICES } from '../provider.types';
import { isRecord } from '../is-record';
import type { CatalogFile } from './catalog.types';

const PARAM_TYPES = ['number', 'integer', 'boolean', 'string', 'enum', 'stop', 'object', 'array'];
const FEATURES = ['tools', 'vision', 'streaming', 'json_mode'];
const OPTIONAL_FEATURES = ['structured_outputs'];

function checkParams(params: unknown, at: string, problems: string[]): void {
  if (!isRecord(params)) return void problems.push(`${at} must be an object`);
  for (const [name, spec] of Object.entries(params)) {
    const p = `${at}.${name}`;
    if (!isRecord(spec)) {
      problems.push(`${p} must be an object`);
      continue;
    }
    if (spec.type !== undefined && !PARAM_TYPES.includes(spec.type as string)) {
      problems.push(`${p}.type must be one of ${PARAM_TYPES.join(', ')}`);
    }
    for (const bound of ['min', 'max', 'max_items'] as const) {
      if (spec[bound] !== undefined && typeof spec[bound] !== 'number')
        problems.push(`${p}.${bound} must be a number`);
    }
    if (typeof spec.min === 'number' && typeof spec.max === 'number' && spec.min > spec.max) {
      problems.push(`${p}.min is greater than max`);
    }
    if (
      spec.type === 'enum' &&
      (!Array.isArray(spec.values) || spec.values.some((v) => typeof v !== 'string'))
    ) {
      problems.push(`${p}.values must be a list of strings`);
    }
  }
}

function checkFeatures(features: unknown, at: string, problems: string[]): void {
  if (!isRecord(features)) return void problems.push(`${at} must be an object`);
  for (const f of FEATURES)
    if (typeof features[f] !== 'boolean') problems.push(`${at}.${f} must be a boolean`);
  for (const f of OPTIONAL_FEATURES)
    if (features[f] !== undefined && typeof features[f] !== 'boolean')
      problems.push(`${at}.${f} must be a boolean`);
}

const OPTIONAL_RATES = [
  'cached_input_per_mtok',
  'cache_write_per_mtok',
  'cache_write_1h_per_mtok',
  'reasoning_per_mtok',
] as const;

function checkRates(rates: Record<string, unknown>, at: string, problems: string[]): void {
  for (const k of ['input_per_mtok', 'output_per_mtok']) {
    if (!isRate(rates[k])) problems.push(`${at}.${k} must be a number >= 0`);
  }
  for (const k of OPTIONAL_RATES) {
    const v = rates[k];
    if (v !== undefined && v !== null && !isRate(v))
      problems.push(`${at}.${k} must be a number >= 0 or null`);
  }
}

function checkPricing(pricing: unknown, at: string, problems: string[]): void {
  if (pricing === null || pricing === undefined) return;
  if (!isRecord(pricing)) return void problems.push(`${at} must be an object or null`);
  checkRates(pricing, at, problems);
  const tier = pricing.long_context;
  if (tier === undefined || tier === null) return;
  if (!isRecord(tier)) return void problems.push(`${at}.long_context must be an object or null`);
  const above = tier.above_input_tokens;
  if (typeof above !== 'number' || !Number.isInteger(above) || above < 1)
    problems.push(`${at}.long_context.above_input_tokens must be an integer >= 1`);
  checkRates(tier, `${at}.long_context`, problems);
}

function isRate(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * Structural check of a catalog (the file, or the file merged with operators' overrides).
 * Returns one line per problem so a bad override can be reported precisely.
 */
export function catalogProblems(c: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(c)) return ['catalog must be a JSON object'];
  if (typeof c.version !== 'string') problems.push('version must be a string');
  if (!isRecord(c.services)) return [...problems, 'services must be an object'];
  for (const [service, svc] of Object.entries(c.services)) {
    const at = `services.${service}`;
    if (!(SERVICES as readonly string[]).includes(service))
      problems.push(`${at} is not a known service`);
    if (!isRecord(svc)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    if (typeof svc.accepts_unknown_models !== 'boolean')
      problems.push(`${at}.accepts_unknown_models must be a boolean`);
    if (svc.accepts_unknown_params !== undefined && typeof svc.accepts_unknown_params !== 'boolean')
      problems.push(`${at}.accepts_unknown_params must be a boolean`);
    if (svc.default_params !== undefined)
      checkParams(svc.default_params, `${at}.default_params`, problems);
    if (svc.default_features !== undefined)
      checkFeatures(svc.default_features, `${at}.default_features`, problems);
    if (!isRecord(svc.models)) {
      problems.push(`${at}.models must be an object`);
      continue;
    }
    for (const [id, m] of Object.entries(svc.models)) {
      const mat = `${at}.models.${id}`;
      if (!isRecord(m)) {
        problems.push(`${mat} must be an object`);
        continue;
      }
      if (m.kind !== undefined && m.kind !== 'chat' && m.kind !== 'embedding')
        problems.push(`${mat}.kind must be "chat" or "embedding"`);
      const embedding = m.kind === 'embedding';
      if (!Number.isInteger(m.context_window) || (m.context_window as number) <= 0)
        problems.push(`${mat}.context_window must be a positive integer`);
      // Embedding models produce no tokens: their max_output_tokens is 0.
      const minOutput = embedding ? 0 : 1;
      if (!Number.isInteger(m.max_output_tokens) || (m.max_output_tokens as number) < minOutput)
        problems.push(
          `${mat}.max_output_tokens must be ${embedding ? 'an integer >= 0' : 'a positive integer'}`,
        );
      if (embedding && (!Number.isInteger(m.dimensions) || (m.dimensions as number) <= 0))
        problems.push(`${mat}.dimensions must be a positive integer`);
      if (m.shortenable !== undefined && typeof m.shortenable !== 'boolean')
        problems.push(`${mat}.shortenable must be a boolean`);
      checkFeatures(m.features, `${mat}.features`, problems);
      checkParams(m.params, `${mat}.params`, problems);
      const groups = m.exclusive_params;
      if (
        groups !== undefined &&
        (!Array.isArray(groups) ||
          groups.some((g) => !Array.isArray(g) || g.some((n) => typeof n !== 'string')))
      )
        problems.push(`${mat}.exclusive_params must be a list of lists of parameter names`);
      checkPricing(m.pricing, `${mat}.pricing`, problems);
    }
  }
  return problems;
}

export function assertCatalog(c: unknown): asserts c is CatalogFile {
  const problems = catalogProblems(c);
  if (problems.length) throw new Error(`Invalid model catalog:\n  - ${problems.join('\n  - ')}`);
}

/** Objects merge key by key; `null` deletes; anything else replaces. Inputs are not mutated. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isRecord(base) || !isRecord(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = deepMerge(base[k], v);
  }
  return out;
}
