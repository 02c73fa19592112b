import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../../common/auth/principal';
import { EgressPolicy } from '../../../common/egress';
import { AppException, ErrorCode } from '../../../common/errors';
import type { Ok } from '../../../common/http/envelope';
import type { AgentCompletionDto } from '../ingress/agent/dto/agent-completion.dto';
import {
  JobQueue,
  PayloadCodec,
  RESERVED_WEBHOOK_HEADERS,
  type JobStatus,
  type JsonValue,
} from '../../queue';
import { COMPLETION_JOB, type CompletionJobPayload } from './completion-job.payload';
import { requestHash } from './request-hash';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface AcceptedJob {
  job_id: string;
  status: JobStatus;
}

/**
 * `response_format: { type: "webhook" }` on the agent endpoint: checks what can be checked now,
 * stores and queues the request, and answers with the job id. The consumer (CompletionJobHandler)
 * runs the pipeline later and POSTs the answer to the webhook.
 */
@Injectable()
export class AsyncCompletions {
  constructor(
    private readonly queue: JobQueue,
    private readonly codec: PayloadCodec,
    private readonly policy: EgressPolicy,
  ) {}

  /** For the controller: reads the Idempotency-Key and request id off the request. */
  async accept(
    dto: AgentCompletionDto,
    principal: Principal,
    req: FastifyRequest,
  ): Promise<Ok<AcceptedJob>> {
    const data = await this.submit(dto, principal, String(req.id), idempotencyKeyOf(req));
    return { success: true, data };
  }

  async submit(
    dto: AgentCompletionDto,
    principal: Principal,
    requestId: string,
    idempotencyKey?: string,
  ): Promise<AcceptedJob> {
    const format = dto.response_format;
    if (format?.type !== 'webhook' || !format.url) {
      throw invalid('response_format.url is required for webhook delivery', 'response_format.url');
    }
    if (dto.stream) {
      throw invalid('stream cannot be combined with webhook delivery', 'stream');
    }
    this.checkUrl(format.url);
    const headers = format.headers ?? {};
    const reserved = Object.keys(headers).filter((h) =>
      RESERVED_WEBHOOK_HEADERS.has(h.toLowerCase()),
    );
    if (reserved.length > 0) {
      throw invalid(
        `response_format.headers may not set ${reserved.join(', ')}: the gateway sets them`,
        'response_format.headers',
      );
    }
    if (Object.keys(headers).length > 0 && !this.codec.canSeal) {
      throw new AppException(
        ErrorCode.SERVICE_UNAVAILABLE,
        'Webhook headers cannot be stored: the gateway has no ENCRYPTION_KEY configured',
      );
    }
    // The request as validated, minus the delivery details, which travel separately.
    const request = JSON.parse(JSON.stringify({ ...dto, response_format: undefined })) as {
      [key: string]: JsonValue;
    };
    const payload: CompletionJobPayload = {
      request,
      principal: { ...principal },
      webhook: { url: format.url, headers },
      request_id: requestId,
    };
    const { job } = await this.queue.enqueue(
      COMPLETION_JOB,
      principal.orgId,
      payload as unknown as JsonValue,
      { idempotencyKey, requestHash: requestHash(dto) },
    );
    return { job_id: job.id, status: job.status };
  }

  /**
   * Catches what is certain now: an IP literal the egress policy refuses. Host names are checked
   * (after resolution) at delivery, where a refusal dead-letters the job.
   */
  private checkUrl(url: string): void {
    if (this.policy.refusal(new URL(url)) !== undefined) {
      throw invalid(
        'response_format.url points at an address the egress policy does not allow',
        'response_format.url',
      );
    }
  }
}

function idempotencyKeyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY.test(raw)) {
    throw invalid(
      'Idempotency-Key must be 1-255 printable ASCII characters (one header)',
      'Idempotency-Key',
    );
  }
  return raw;
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
