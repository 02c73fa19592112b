import { randomUUID } from 'node:crypto';
import type { ErrorReport } from '../errors/error-report';

/** The JSON body POSTed to an error webhook. */
export type ErrorWebhookEvent = {
  /** Unique per delivery; repeated on retries of the same delivery (`x-event-id`). */
  id: string;
  type: 'gateway.error';
  /** When the (latest) error happened, ISO 8601. */
  time: string;
  code: string;
  status: number;
  /** What the client was told: never a stack, a prompt or a credential. */
  message: string;
  service: string | null;
  model: string | null;
  /** The agent id, for agent completions. */
  agent: string | null;
  org_id: string | null;
  request_id: string | null;
  route: string;
  /** Errors of the same (org, code, service) held back since the previous event. */
  suppressed_count: number;
  window_seconds: number;
};

export function toWebhookEvent(
  r: ErrorReport,
  suppressed: number,
  windowMs: number,
): ErrorWebhookEvent {
  return {
    id: `evt_${randomUUID()}`,
    type: 'gateway.error',
    time: r.time.toISOString(),
    code: r.code,
    status: r.status,
    message: r.message,
    service: r.service,
    model: r.model,
    agent: r.agent_id,
    org_id: r.org_id,
    request_id: r.request_id,
    route: r.method ? `${r.method} ${r.route}` : r.route,
    suppressed_count: suppressed,
    window_seconds: Math.round(windowMs / 1000),
  };
}
