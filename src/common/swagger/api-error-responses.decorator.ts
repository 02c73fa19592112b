import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { ERROR_SCHEMAS, type ErrorFormat } from './error-schemas';

/** What a status means when neither the route nor an earlier decorator describes it. */
const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the body, query, a path parameter or a header failed validation',
  401: 'Missing or invalid credentials',
  403: 'The credentials lack the scope this route needs',
  404: 'Not found in this org',
  409: 'Conflicts with an existing resource (names are unique per org)',
  413: 'Request body larger than BODY_LIMIT_BYTES',
  429: 'Rate limit, token budget or dollar budget exceeded; retry after Retry-After seconds',
  503: 'A required dependency is unavailable; retry after Retry-After seconds',
};

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
};

export type ErrorResponseSpec = number | { status: number; description: string };

/**
 * Documents the error responses an operation can really give, each with `format`'s one error
 * schema (the gateway envelope, OpenAI's shape or Anthropic's; registered once as components in
 * bootstrap/swagger.ts). A bare status keeps a description an earlier decorator gave it (e.g.
 * @RateLimited's 429) or gets the default; `{ status, description }` says when this route
 * answers it. Put it above the route's other Api* decorators so it sees theirs.
 */
export function ApiErrorResponses(
  format: ErrorFormat,
  ...responses: ErrorResponseSpec[]
): MethodDecorator {
  const schema = { $ref: getSchemaPath(ERROR_SCHEMAS[format]) };
  return (target, key, descriptor) => {
    for (const r of responses) {
      const status = typeof r === 'number' ? r : r.status;
      const existing = (
        Reflect.getMetadata(DECORATORS.API_RESPONSE, descriptor.value as object) as
          Record<string, { description?: string; headers?: unknown }> | undefined
      )?.[String(status)];
      const description =
        typeof r === 'number'
          ? existing?.description
            ? undefined
            : (DEFAULT_DESCRIPTIONS[status] ?? 'Error')
          : r.description;
      const headers = existing?.headers === undefined && status === 429 ? RETRY_AFTER : undefined;
      ApiResponse({
        status,
        schema,
        ...(description !== undefined ? { description } : {}),
        ...(headers !== undefined ? { headers } : {}),
      })(target, key, descriptor);
    }
    return descriptor;
  };
}
