import { fromMongoKeys, toMongoKeys } from './mongo-keys';

describe('Mongo key escaping', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { 'a.b': { $ref: '#/$defs/x' }, plain: { type: 'string' }, '100%': {} },
    $defs: { x: { type: 'string' } },
    list: [{ $gt: 1 }, 'x', 3],
    '\ue000odd': 1,
  };

  it('escapes the keys a document store refuses and gives them back as sent', () => {
    const stored = toMongoKeys(schema);
    const keys: string[] = [];
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          keys.push(k);
          collect(x);
        }
      }
    };
    collect(stored);
    expect(keys.filter((k) => k.startsWith('$') || k.includes('.'))).toEqual([]);
    expect(fromMongoKeys(stored)).toEqual(schema);
  });

  it('leaves ordinary keys, values and non-plain objects alone', () => {
    const at = new Date();
    const doc = { _id: 'agt_1', created_at: at, configuration: { temperature: 0.2 }, note: '$x.y' };
    const stored = toMongoKeys(doc);
    expect(stored).toEqual(doc);
    expect(stored.created_at).toBe(at);
    expect(fromMongoKeys(stored)).toEqual(doc);
  });
});
