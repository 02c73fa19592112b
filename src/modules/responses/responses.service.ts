import { Injectable } from '@nestjs/common';
import { AppException, ErrorCode } from '../../common/errors';
import { SAFE_ID_PATTERN } from '../../common/validation/safe-id';
import type { ResponsePatch, ResponseStatus, StoredResponse } from './response-record';
import { ResponsesRepository } from './responses.repository';

/**
 * Stored Responses, for the /v1/responses controllers and the background worker. An id that
 * does not have the shape of a stored id (e.g. a path segment with NUL) is simply not found:
 * it is never sent to the store.
 */
@Injectable()
export class ResponsesStore {
  constructor(private readonly repo: ResponsesRepository) {}

  /** Stores a new response; its id is the caller's (`resp_…`, on the wire already); 409 if taken. */
  async save(r: StoredResponse): Promise<StoredResponse> {
    await this.repo.insert(r);
    return r;
  }

  get(orgId: string, id: string): Promise<StoredResponse | null> {
    return SAFE_ID_PATTERN.test(id) ? this.repo.get(orgId, id) : Promise.resolve(null);
  }

  /** The response, or 404 NOT_FOUND "Response <id> not found". */
  async getOrThrow(orgId: string, id: string): Promise<StoredResponse> {
    const r = await this.get(orgId, id);
    if (!r) throw responseNotFound(id);
    return r;
  }

  /**
   * Atomic (conditional) update: null when the response is missing or its status is not in
   * `onlyIfStatusIn`. Of concurrent updates conditioned on one status exactly one wins, so a
   * worker claims a queued response with `update(org, id, {status: 'in_progress'}, ['queued'])`
   * and a cancel with `[…, 'queued', 'in_progress']` cannot overwrite a finished one.
   */
  update(
    orgId: string,
    id: string,
    patch: ResponsePatch,
    onlyIfStatusIn?: ResponseStatus[],
  ): Promise<StoredResponse | null> {
    if (!SAFE_ID_PATTERN.test(id)) return Promise.resolve(null);
    return this.repo.update(orgId, id, patch, onlyIfStatusIn);
  }

  /** True when it existed (in this org) and is gone. */
  delete(orgId: string, id: string): Promise<boolean> {
    return SAFE_ID_PATTERN.test(id) ? this.repo.delete(orgId, id) : Promise.resolve(false);
  }
}

/** 404 for a response id; the id is echoed only when it has a stored id's (safe) shape. */
export function responseNotFound(id: string): AppException {
  const which = SAFE_ID_PATTERN.test(id) ? `Response ${id}` : 'Response';
  return new AppException(ErrorCode.NOT_FOUND, `${which} not found`);
}
