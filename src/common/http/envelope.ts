import { applyDecorators, Type } from '@nestjs/common';
import { ApiResponse, ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import type { Page } from '../pagination/cursor';

/** DESIGN's success envelope. */
export interface Ok<T> {
  success: true;
  data: T;
}

export interface OkPage<T> extends Ok<T[]> {
  next_cursor: string | null;
}

export const ok = <T>(data: T): Ok<T> => ({ success: true, data });

export const okPage = <T>(page: Page<T>): OkPage<T> => ({
  success: true,
  data: page.items,
  next_cursor: page.next_cursor,
});

/** Documents `{ success: true, data: <model> }` (or a page of them) in Swagger. */
export function ApiEnvelope(
  model: Type<unknown>,
  opts: { list?: boolean; status?: 200 | 201 | 202; description?: string } = {},
) {
  const data = opts.list
    ? { type: 'array', items: { $ref: getSchemaPath(model) } }
    : { $ref: getSchemaPath(model) };
  const properties: Record<string, object> = {
    success: { type: 'boolean', example: true },
    data,
  };
  if (opts.list) {
    properties.next_cursor = {
      type: 'string',
      nullable: true,
      description: 'Pass as ?cursor= for the next page; null on the last page',
    };
  }
  const schema = { type: 'object', required: ['success', 'data'], properties };
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({ status: opts.status ?? 200, schema, description: opts.description }),
  );
}

/** `data` of a successful DELETE. */
export class Deleted {
  @ApiProperty({ example: 'agt_3q2JXhN0v8S2aLr1m9BzQw' })
  id!: string;

  @ApiProperty({ example: true })
  deleted!: true;
}

export const deleted = (id: string): Ok<Deleted> => ok({ id, deleted: true });
