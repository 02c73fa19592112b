import { schemaInstance } from './schema-instance';

describe('schemaInstance (the mock answer for a JSON Schema)', () => {
  it('fills the required properties with minimal values that satisfy the schema', () => {
    expect(
      schemaInstance({
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 6 },
          age: { type: 'integer', minimum: 18 },
          when: { type: 'string', format: 'date-time' },
          kind: { enum: ['a', 'b'] },
          tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
          opt: { type: ['null', 'boolean'] },
          ref: { $ref: '#/$defs/Inner' },
          either: { anyOf: [{ type: 'number' }, { type: 'string' }] },
          skipped: { type: 'string' },
        },
        required: ['name', 'age', 'when', 'kind', 'tags', 'opt', 'ref', 'either'],
        $defs: { Inner: { type: 'object', properties: { x: { const: 7 } }, required: ['x'] } },
      }),
    ).toEqual({
      name: 'mockxx',
      age: 18,
      when: '2026-01-01T00:00:00Z',
      kind: 'a',
      tags: ['mock', 'mock'],
      opt: false,
      ref: { x: 7 },
      either: 0,
    });
  });

  it('answers an empty object for an open object schema', () => {
    expect(schemaInstance({ type: 'object', additionalProperties: true })).toEqual({});
  });
});
