import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../common/auth/principal';
import { requestApiKey } from '../auth';
import type { RateLimitFacts } from './rate-limit-plan';
import { isRecord } from '../../common/validation/is-record';

const AGENT_MODEL_PREFIX = 'agent/';

/**
 * The facts the limits depend on. Guards run before validation, so the (already parsed) body
 * is read defensively: only string fields count; a malformed body is still counted against the
 * caller and then rejected by validation.
 */
export function requestFacts(req: FastifyRequest, principal: Principal): RateLimitFacts {
  const body = isRecord(req.body) ? req.body : {};
  const apiKey = requestApiKey(req);
  return {
    orgId: principal.orgId,
    userId: principal.userId,
    apiKey: apiKey ? { id: apiKey.id, perMinute: apiKey.perMinute } : undefined,
    agentId: agentIdOf(body),
    threadId: nonEmpty(body.thread_id) ?? nonEmpty(req.headers['x-thread-id']),
  };
}

function agentIdOf(body: Record<string, unknown>): string | undefined {
  const direct = nonEmpty(body.agent_id) ?? nonEmpty(body.bridge_id);
  if (direct) return direct;
  const model = nonEmpty(body.model);
  return model?.startsWith(AGENT_MODEL_PREFIX)
    ? nonEmpty(model.slice(AGENT_MODEL_PREFIX.length))
    : undefined;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
