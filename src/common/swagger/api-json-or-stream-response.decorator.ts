import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import type { HeadersObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The 200 of a route that answers JSON, or Server-Sent Events with `stream: true`. Only the 200
 * has both media types: errors are JSON either way (a route-wide @ApiProduces would list every
 * error response as an event stream too).
 */
export function ApiJsonOrStreamOkResponse(
  model: Type<unknown>,
  opts: { description: string; stream: string; headers?: HeadersObject },
) {
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      description: opts.description,
      ...(opts.headers ? { headers: opts.headers } : {}),
      content: {
        'application/json': { schema: { $ref: getSchemaPath(model) } },
        'text/event-stream': { schema: { type: 'string', description: opts.stream } },
      },
    }),
  );
}
