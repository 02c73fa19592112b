import type { FastifyRequest } from 'fastify';
import { parseModelRef } from '../../providers';

/** What an HTTP request tells about a failed call, before the pipeline says more. */
export interface HttpErrorContext {
  request_id: string;
  method: string;
  route: string;
  org_id: string | null;
  user_id: string | null;
  service: string | null;
  model: string | null;
  agent_id: string | null;
}

/**
 * Reads the context of an error from the request: the caller, the route pattern (never the
 * raw URL), and which agent or model the body named. Only those fields are read from the
 * body: prompts and messages stay out of logs and reports.
 */
export function httpErrorContext(req: FastifyRequest): HttpErrorContext {
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
    string,
    unknown
  >;
  let service: string | null = null;
  let model: string | null = null;
  let agent: string | null = str(body.agent_id) ?? str(body.bridge_id);
  const ref = str(body.model);
  if (ref?.startsWith('agent/')) {
    agent = ref.slice('agent/'.length) || null;
  } else if (ref) {
    try {
      ({ service, model } = parseModelRef(ref));
    } catch {
      // Not a model reference the gateway knows: the error is probably about exactly that.
    }
  }
  return {
    request_id: String(req.id),
    method: req.method,
    route: req.routeOptions?.url ?? 'unmatched',
    org_id: req.principal?.orgId ?? null,
    user_id: req.principal?.userId ?? null,
    service,
    model,
    agent_id: agent,
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' && v.length <= 256 ? v : null;
}
