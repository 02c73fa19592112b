/**
 * A minimal JSON value that validates against a JSON Schema: what the mock answers for
 * structured outputs (OpenAI `response_format: json_schema`, Anthropic `output_config.format`)
 * and for forced tool calls. Covers the subset providers accept for structured outputs:
 * type (or a list of types), properties/required, items/minItems, enum, const, anyOf/oneOf/allOf,
 * local $ref (#/$defs/..., #/definitions/...), minimum, minLength and common string formats.
 */
type Schema = Record<string, unknown>;

const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

const FORMATS: Record<string, string> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  email: 'mock@example.com',
  uri: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function resolveRef(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = isObj(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return isObj(node) ? node : {};
}

function typeOf(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t): t is string => typeof t === 'string');
    return types.find((t) => t !== 'null') ?? types[0];
  }
  if (isObj(s.properties)) return 'object';
  if (s.items !== undefined) return 'array';
  return undefined;
}

function instance(s: unknown, root: Schema, depth: number): unknown {
  if (!isObj(s) || depth > 32) return null;
  if (typeof s.$ref === 'string') return instance(resolveRef(s.$ref, root), root, depth + 1);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  for (const k of ['anyOf', 'oneOf'] as const) {
    const alts = s[k];
    if (Array.isArray(alts) && alts.length) return instance(alts[0], root, depth + 1);
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    const merged = Object.assign({}, ...s.allOf.filter(isObj), { allOf: undefined }) as Schema;
    return instance(merged, root, depth + 1);
  }
  switch (typeOf(s)) {
    case 'object': {
      const props = isObj(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? s.required : [];
      const out: Record<string, unknown> = {};
      for (const name of required) {
        if (typeof name === 'string') out[name] = instance(props[name] ?? {}, root, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: n }, () => instance(s.items ?? {}, root, depth + 1));
    }
    case 'string': {
      if (typeof s.format === 'string' && FORMATS[s.format]) return FORMATS[s.format];
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      return 'mock'.padEnd(min, 'x');
    }
    case 'integer':
    case 'number': {
      if (typeof s.minimum === 'number') return Math.ceil(s.minimum);
      if (typeof s.exclusiveMinimum === 'number') return Math.floor(s.exclusiveMinimum) + 1;
      return 0;
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

export function schemaInstance(schema: unknown): unknown {
  return instance(schema, isObj(schema) ? schema : {}, 0);
}
