import { parametersProblem } from './tool-parameters';

describe('parametersProblem', () => {
  it('accepts object schemas, with unknown keywords and formats, in draft-07 or 2020-12', () => {
    expect(
      parametersProblem({
        type: 'object',
        properties: { email: { type: 'string', format: 'email', examples: ['a@b.c'] } },
        required: ['email'],
        additionalProperties: false,
      }),
    ).toBeUndefined();
    expect(
      parametersProblem({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { xs: { type: 'array', prefixItems: [{ type: 'number' }] } },
      }),
    ).toBeUndefined();
  });

  it('rejects schemas that do not compile, naming the problem', () => {
    expect(parametersProblem({ type: 'object', properties: { x: { type: 'wizard' } } })).toMatch(
      /not a valid JSON Schema: .*type/,
    );
    expect(parametersProblem({ type: 'object', required: 'x' })).toMatch(/not a valid/);
  });

  it('requires an object schema and bounds its size', () => {
    expect(parametersProblem({ type: 'string' })).toMatch(/"type": "object"/);
    const huge = { type: 'object', description: 'x'.repeat(70 * 1024) };
    expect(parametersProblem(huge)).toMatch(/larger than/);
  });
});
