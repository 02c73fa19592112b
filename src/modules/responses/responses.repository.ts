import { AppException, ErrorCode } from '../../common/errors';
import type { ResponsePatch, ResponseStatus, StoredResponse } from './response-record';

/**
 * Port (and DI token) for stored Responses; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Scoped by org: another org's response is indistinguishable from a
 * missing one.
 */
export abstract class ResponsesRepository {
  /**
   * Stores a new response (its id is the caller's); an id the org already holds rejects with
   * a 409 CONFLICT AppException.
   */
  abstract insert(r: StoredResponse): Promise<void>;

  abstract get(orgId: string, id: string): Promise<StoredResponse | null>;

  /**
   * Applies `patch` atomically and returns the record after it; null when the record is
   * missing or, with `onlyIfStatusIn`, its status is not one of those at the moment of the
   * write. Of concurrent updates conditioned on the same status (e.g. two workers claiming a
   * queued response, or a cancel racing a completion), exactly one wins.
   */
  abstract update(
    orgId: string,
    id: string,
    patch: ResponsePatch,
    onlyIfStatusIn?: ResponseStatus[],
  ): Promise<StoredResponse | null>;

  /** True when the record existed (in this org) and is gone. */
  abstract delete(orgId: string, id: string): Promise<boolean>;
}

export const existsMessage = (id: string): string => `Response ${id} already exists`;

/** What `insert` rejects with when the id is taken, the same from every adapter. */
export const responseExists = (id: string): AppException =>
  new AppException(ErrorCode.CONFLICT, existsMessage(id));
