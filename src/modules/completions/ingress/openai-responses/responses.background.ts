import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../../../common/auth/principal';
import { EgressPolicy } from '../../../../common/egress';
import { AppException, ErrorCode } from '../../../../common/errors';
import { newId } from '../../../../common/ids/new-id';
import { normaliseError } from '../../../../common/filters/normalise-error';
import { isRecord } from '../../../../common/validation/is-record';
import {
  JobHandlerRegistry,
  JobQueue,
  PermanentJobError,
  WebhookDelivery,
  type JobContext,
  type JobHandler,
  type JobOutcome,
  type JobRecord,
  type JsonValue,
} from '../../../queue';

import { ResponsesStore, type ResponseStatus, type StoredResponse } from '../../../responses';
import type { OpenAiResponsesDto } from './dto/openai-responses.dto';
import { inputItemsOf, ResponsesRunner } from './responses.runner';
import {
  failedResponse,
  pendingResponse,
  responseErrorCode,
  type ResponseMeta,
  type ResponseObject,
} from './responses.response';

export const RESPONSE_JOB = 'response';

/** The gateway header naming where a background response's outcome is POSTed (signed). */
export const WEBHOOK_URL_HEADER = 'x-webhook-url';

/** What a background response's record keeps to run it later (its `request` field). */
interface BackgroundRequest {
  dto: Record<string, unknown>;
  headers: Record<string, string>;
  principal: Principal;
  request_id: string;
  webhook_url: string | null;
  /** The Response's id, creation time and echo, as the client first saw them. */
  meta: ResponseMeta;
}

/** Statuses a background response can still leave. */
const PENDING: ResponseStatus[] = ['queued', 'in_progress'];

/** The job's payload: which stored response to run. */
interface ResponseJobPayload {
  response_id: string;
  org_id: string;
}

/** Headers a later run needs to rebuild the request exactly (the /v1 gateway extras). */
const REPLAYED_HEADERS = [
  'x-cache-ttl',
  'cache-control',
  'x-gateway-strict-params',
  'x-thread-id',
  'x-sub-thread-id',
];

/**
 * `background: true` (OpenAI's background mode): the response is stored `queued` and answered
 * at once; a job on the queue (RabbitMQ or in-process) runs it, the client polls
 * `GET /v1/responses/{id}` and may cancel it. The outcome is also POSTed, signed with the org's
 * webhook secret, to `x-webhook-url` when the request named one, as an OpenAI-style event
 * (`response.completed`, `response.failed`, `response.cancelled`, `response.incomplete`).
 *
 * Idempotent like every job: a run claims the record (queued/in_progress -> in_progress), the
 * thread append is keyed by the response id, and only a record still `in_progress` takes the
 * answer, so a cancel that lands first wins.
 */
@Injectable()
export class BackgroundResponses implements JobHandler<ResponseJobPayload>, OnModuleInit {
  private readonly logger = new Logger('BackgroundResponses');
  /** Runs on this instance, by response id: a cancel aborts their upstream call. */
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly registry: JobHandlerRegistry,
    private readonly queue: JobQueue,
    private readonly runner: ResponsesRunner,
    private readonly store: ResponsesStore,
    private readonly webhooks: WebhookDelivery,
    private readonly policy: EgressPolicy,
  ) {}

  onModuleInit(): void {
    this.registry.register(RESPONSE_JOB, this, { parse: parsePayload });
  }

  /** Stores the response `queued`, queues its job and returns the Response object. */
  async submit(
    dto: OpenAiResponsesDto,
    headers: Record<string, string | undefined>,
    principal: Principal,
    requestId: string,
    id: string,
  ): Promise<ResponseObject> {
    if (dto.store === false) {
      throw invalid('background mode needs store: the response is polled by its id', 'store');
    }
    if (dto.stream) {
      throw invalid(
        'stream cannot be combined with background here: poll GET /v1/responses/{id} instead',
        'stream',
      );
    }
    const webhookUrl = this.webhookUrl(headers[WEBHOOK_URL_HEADER]);
    // Everything that can be refused now is refused now (unknown model, agent, previous
    // response or conversation; a missing prompt variable), not later by a failed job.
    const prepared = await this.runner.prepare(dto, headers, principal, requestId, id);
    const body = pendingResponse(prepared.meta, 'queued');
    const now = new Date();
    const request: BackgroundRequest = {
      dto: JSON.parse(JSON.stringify(dto)) as Record<string, unknown>,
      headers: replayedHeaders(headers),
      principal: { ...principal },
      request_id: requestId,
      webhook_url: webhookUrl,
      meta: prepared.meta,
    };
    await this.store.save({
      id,
      org_id: principal.orgId,
      status: 'queued',
      body: body,
      input_items: inputItemsOf(prepared),
      context: [],
      previous_response_id: prepared.previousResponseId,
      conversation_id: prepared.conversationId,
      background: true,
      request: request as unknown as Record<string, unknown>,
      created_at: now,
      updated_at: now,
    });
    try {
      await this.queue.enqueue(RESPONSE_JOB, principal.orgId, {
        response_id: id,
        org_id: principal.orgId,
      } satisfies ResponseJobPayload);
    } catch (e) {
      // Not queued: the record must not sit `queued` forever.
      await this.finish(principal.orgId, id, failedBody(prepared.meta, e), ['queued']).catch(
        () => undefined,
      );
      throw e;
    }
    return body;
  }

  /** `POST /v1/responses/{id}/cancel`. */
  async cancel(orgId: string, id: string): Promise<Record<string, unknown>> {
    const record = await this.store.getOrThrow(orgId, id);
    if (!record.background) {
      throw invalid('Only responses created with background: true can be cancelled', 'response_id');
    }
    if (!PENDING.includes(record.status)) return record.body;
    const updated = await this.finish(orgId, id, { ...record.body, status: 'cancelled' }, PENDING);
    // A run on this instance stops its upstream call now; one elsewhere finds the record
    // cancelled when it ends and drops its answer.
    this.running.get(id)?.abort(new Error('cancelled'));
    return (updated ?? (await this.store.getOrThrow(orgId, id))).body;
  }

  async run(ctx: JobContext<ResponseJobPayload>): Promise<JobOutcome> {
    const { payload, signal } = ctx;
    const orgId = payload.org_id;
    const claimed = await this.store.update(
      orgId,
      payload.response_id,
      { status: 'in_progress' },
      PENDING,
    );
    // Cancelled (or deleted) before it ran, or finished by an earlier run.
    if (!claimed) return { status: 'completed' };
    const request = claimed.request as unknown as BackgroundRequest;
    const meta = request.meta;
    const abort = new AbortController();
    const stop = () => abort.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    this.running.set(claimed.id, abort);
    try {
      await this.store.update(orgId, claimed.id, { body: pendingResponse(meta, 'in_progress') }, [
        'in_progress',
      ]);
      // Rebuilt at run time, as the route would now: history and stored tools as they are.
      const p = await this.runner.prepare(
        request.dto,
        request.headers,
        request.principal,
        request.request_id,
        claimed.id,
      );
      p.meta = meta;
      const { outcome, body } = await this.runner.answer(p, abort.signal);
      const record = this.runner.record(p, outcome, body);
      await this.finish(orgId, claimed.id, record.body, ['in_progress'], record.context);
      return { status: 'completed' };
    } catch (e) {
      // Cancelled: the cancel already wrote the record.
      if (abort.signal.aborted && !signal.aborted) return { status: 'completed' };
      if (!isDefiniteFailure(e)) throw e;
      await this.finish(orgId, claimed.id, failedBody(meta, e), ['in_progress']);
      return { status: 'failed', error: { code: e.code, message: e.message } };
    } finally {
      signal.removeEventListener('abort', stop);
      this.running.delete(claimed.id);
    }
  }

  /** Retries ran out: the record says failed, and the webhook hears it. */
  async dead(ctx: { job: JobRecord; payload: ResponseJobPayload }): Promise<void> {
    const { job, payload } = ctx;
    const record = await this.store.get(payload.org_id, payload.response_id);
    if (!record || !PENDING.includes(record.status)) return;
    const error = job.error ?? { code: 'INTERNAL', message: 'The background response failed' };
    await this.finish(
      payload.org_id,
      record.id,
      {
        ...record.body,
        status: 'failed',
        error: { code: 'server_error', message: error.message },
      },
      PENDING,
    );
  }

  /**
   * Writes a final body if the record is still in one of `from` (a cancel or an earlier run
   * may have ended it), then tells the webhook. Null when another outcome won.
   */
  private async finish(
    orgId: string,
    id: string,
    body: Record<string, unknown>,
    from: ResponseStatus[],
    context?: StoredResponse['context'],
  ): Promise<StoredResponse | null> {
    const status = body.status as ResponseStatus;
    const updated = await this.store.update(
      orgId,
      id,
      { status, body, ...(context ? { context } : {}) },
      from,
    );
    if (updated) await this.notify(updated, `response.${status}`);
    return updated;
  }

  /** The OpenAI-style webhook event for a finished background response (best effort). */
  private async notify(record: StoredResponse, type: string): Promise<void> {
    const url = (record.request as unknown as BackgroundRequest | null)?.webhook_url;
    if (!url) return;
    const event = {
      id: newId('evt'),
      object: 'event',
      type,
      created_at: Math.floor(Date.now() / 1000),
      data: { id: record.id },
    };
    try {
      await this.webhooks.deliver(record.org_id, { url, headers: {} }, event, {
        jobId: record.id,
        attempt: 1,
      });
    } catch (e) {
      this.logger.warn(`webhook for ${record.id} not delivered: ${(e as Error).message}`);
    }
  }

  private webhookUrl(raw: string | undefined): string | null {
    if (raw === undefined || raw === '') return null;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid(`${WEBHOOK_URL_HEADER} must be an absolute http(s) URL`, WEBHOOK_URL_HEADER);
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || raw.length > 2048) {
      throw invalid(`${WEBHOOK_URL_HEADER} must be an absolute http(s) URL`, WEBHOOK_URL_HEADER);
    }
    if (this.policy.refusal(url) !== undefined) {
      throw invalid(
        `${WEBHOOK_URL_HEADER} points at an address the egress policy does not allow`,
        WEBHOOK_URL_HEADER,
      );
    }
    return url.toString();
  }
}

/** A failed Response for an error, in OpenAI's `error` shape. */
function failedBody(meta: ResponseMeta, e: unknown): Record<string, unknown> {
  const err = normaliseError(e);
  return failedResponse(meta, {
    code: responseErrorCode(err),
    message: err.message,
  });
}

function replayedHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of REPLAYED_HEADERS) {
    const v = headers[h];
    if (typeof v === 'string') out[h] = v;
  }
  return out;
}

function parsePayload(v: JsonValue): ResponseJobPayload {
  if (!isRecord(v) || typeof v.response_id !== 'string' || typeof v.org_id !== 'string') {
    throw new PermanentJobError(
      'response job payload: response_id and org_id required',
      'BAD_PAYLOAD',
    );
  }
  return { response_id: v.response_id, org_id: v.org_id };
}

/** A 4xx other than 408/429 will not change by retrying: it is the response's outcome. */
function isDefiniteFailure(e: unknown): e is AppException {
  return e instanceof AppException && e.status < 500 && e.status !== 408 && e.status !== 429;
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
