import { SAFE_ID_PATTERN } from '../../../common/validation/safe-id';

/** Any JSON value: what a job payload may hold once it has crossed the broker. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * One job as it travels through a transport. The id names the job record in the job store, so
 * every consumer can tell a repeat of a finished job from new work (handlers are idempotent).
 */
export interface JobEnvelope {
  v: 1;
  id: string;
  type: string;
  org_id: string;
  /** Opaque to the transport: a sealed string when an encryption key exists, else plain JSON. */
  payload: JsonValue;
}

/** A message that is not a job envelope (bad JSON, wrong shape): dead-lettered, never retried. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

const TYPE = /^[a-z][a-z0-9_]{0,62}$/;

/** Job type names end up in queue names and metric labels: keep them short and plain. */
export function isValidJobType(type: string): boolean {
  return TYPE.test(type);
}

export function encodeEnvelope(e: JobEnvelope): Buffer {
  return Buffer.from(JSON.stringify(e), 'utf8');
}

/** Parses and checks a message body; throws PoisonMessageError for anything else. */
export function decodeEnvelope(raw: Buffer): JobEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PoisonMessageError('message body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PoisonMessageError('message body is not a JSON object');
  }
  const o = parsed as Record<string, unknown>;
  if (o.v !== 1) throw new PoisonMessageError('unknown envelope version');
  if (typeof o.id !== 'string' || !SAFE_ID_PATTERN.test(o.id))
    throw new PoisonMessageError('bad job id');
  if (typeof o.type !== 'string' || !isValidJobType(o.type))
    throw new PoisonMessageError('bad job type');
  if (typeof o.org_id !== 'string' || o.org_id === '') throw new PoisonMessageError('bad org id');
  if (!('payload' in o)) throw new PoisonMessageError('missing payload');
  return { v: 1, id: o.id, type: o.type, org_id: o.org_id, payload: o.payload as JsonValue };
}
