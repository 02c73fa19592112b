import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { ApiErrorResponses } from './api-error-responses.decorator';

type Responses = Record<string, { description?: string; schema?: unknown; headers?: object }>;

function responsesOf(target: object, method: string): Responses {
  const fn = (target as Record<string, unknown>)[method] as object;
  return Reflect.getMetadata(DECORATORS.API_RESPONSE, fn) as Responses;
}

describe('ApiErrorResponses', () => {
  class Routes {
    @ApiErrorResponses('openai', 400, { status: 404, description: 'No such model' })
    plain(): void {}

    // Listed above @RateLimited's 429, so it sees that one and keeps its description and headers.
    @ApiErrorResponses('anthropic', 429)
    @ApiTooManyRequestsResponse({ description: 'Per-user limit', headers: { 'Retry-After': {} } })
    limited(): void {}

    @ApiErrorResponses('gateway', 429)
    bare(): void {}
  }

  it("references the format's one error schema, with default or given descriptions", () => {
    const r = responsesOf(Routes.prototype, 'plain');
    expect(r['400']).toEqual({
      description: expect.stringContaining('Invalid request'),
      schema: { $ref: '#/components/schemas/OpenAiErrorDto' },
    });
    expect(r['404']).toEqual({
      description: 'No such model',
      schema: { $ref: '#/components/schemas/OpenAiErrorDto' },
    });
  });

  it("keeps an earlier decorator's description and headers and adds the schema", () => {
    expect(responsesOf(Routes.prototype, 'limited')['429']).toEqual({
      description: 'Per-user limit',
      headers: { 'Retry-After': {} },
      schema: { $ref: '#/components/schemas/AnthropicErrorDto' },
    });
  });

  it('gives a bare 429 the Retry-After header', () => {
    const r = responsesOf(Routes.prototype, 'bare')['429'];
    expect(r.schema).toEqual({ $ref: '#/components/schemas/GatewayErrorDto' });
    expect(r.headers).toHaveProperty('Retry-After');
  });
});
