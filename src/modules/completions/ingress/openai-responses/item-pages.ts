import { AppException, ErrorCode } from '../../../../common/errors';
import { DEFAULT_ITEMS_LIMIT } from '../../../responses';

/** The query of the Responses API's item lists (`input_items`, conversation items). */
export interface ItemPageQuery {
  after?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

/** OpenAI's cursor page: `first_id`/`last_id` name the page's ends, `after` continues it. */
export interface ItemPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** A list of items in OpenAI's cursor-page shape, its ends named by the items' ids. */
export function itemList<T extends { id?: unknown }>(data: T[], hasMore: boolean): ItemPage<T> {
  const id = (i: T | undefined) => (typeof i?.id === 'string' ? i.id : null);
  return {
    object: 'list',
    data,
    first_id: id(data[0]),
    last_id: id(data[data.length - 1]),
    has_more: hasMore,
  };
}

/**
 * One page of a whole, ordered (oldest first) list of items with ids: reversed for `desc`
 * (OpenAI's default), resumed after the item `after` names (a 400 when no item has that id).
 */
export function pageOfItems<T extends { id?: unknown }>(
  items: readonly T[],
  q: ItemPageQuery,
): ItemPage<T> {
  const ordered = q.order === 'asc' ? [...items] : [...items].reverse();
  let start = 0;
  if (q.after !== undefined) {
    const at = ordered.findIndex((i) => i.id === q.after);
    if (at < 0) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, `No item with id '${q.after}' here`, {
        param: 'after',
      });
    }
    start = at + 1;
  }
  const limit = q.limit ?? DEFAULT_ITEMS_LIMIT;
  return itemList(ordered.slice(start, start + limit), start + limit < ordered.length);
}
