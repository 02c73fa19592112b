import { randomUUID } from 'node:crypto';

export type UsageStatus = 'success' | 'error';

/** One provider call, as the completion pipeline reports it to `MetricsRecorder.record()`. */
export interface UsageRow {
  time: Date;
  org_id: string;
  user_id?: string | null;
  agent_id?: string | null;
  thread_id?: string | null;
  service: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens?: number | null;
  /** null when the model has no known price. */
  cost_usd: number | null;
  latency_ms: number;
  status: UsageStatus;
  error_code?: string | null;
  /** Served from the response cache (no provider call was made). */
  cached: boolean;
  /** 1 for the first try; retries and fallbacks count up. */
  attempt?: number | null;
}

/**
 * A row as buffered and stored: validated, optional fields made explicit, and a client-side id
 * so a batch retried after an ambiguous failure (committed, but the ack was lost) is not
 * counted twice (`ON CONFLICT DO NOTHING`).
 */
export interface UsageRecord {
  id: string;
  time: Date;
  org_id: string;
  user_id: string | null;
  agent_id: string | null;
  thread_id: string | null;
  service: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number | null;
  cost_usd: number | null;
  latency_ms: number;
  status: UsageStatus;
  error_code: string | null;
  cached: boolean;
  attempt: number | null;
}

/** Postgres `integer` upper bound: larger values would fail the whole batch's INSERT. */
const INT_MAX = 2_147_483_647;
/** Matches the column's numeric(20,10): ten integer digits. */
const COST_MAX = 9_999_999_999;
/** Ids and labels are ours and short; a longer value is cut rather than rejected. */
const TEXT_MAX = 512;

export class InvalidUsageRow extends Error {}

function text(value: unknown, field: string, required: true): string;
function text(value: unknown, field: string, required: false): string | null;
function text(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new InvalidUsageRow(`${field} is required`);
    return null;
  }
  if (typeof value !== 'string') throw new InvalidUsageRow(`${field} must be a string`);
  // Postgres text cannot hold NUL; one such value would fail every row of its batch.
  const clean = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return clean.length > TEXT_MAX ? clean.slice(0, TEXT_MAX) : clean;
}

function count(value: unknown, field: string, required: true): number;
function count(value: unknown, field: string, required: false): number | null;
function count(value: unknown, field: string, required: boolean): number | null {
  if (value === undefined || value === null) {
    if (required) throw new InvalidUsageRow(`${field} is required`);
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > INT_MAX) {
    throw new InvalidUsageRow(`${field} must be a number between 0 and ${INT_MAX}`);
  }
  return Math.round(value);
}

/**
 * Validates a row at `record()` time, so a bad value is rejected alone instead of poisoning a
 * batch of 500 at INSERT time. Cheap: a fixed number of checks per row.
 */
export function toUsageRecord(row: UsageRow, id: string = randomUUID()): UsageRecord {
  if (typeof row !== 'object' || row === null) throw new InvalidUsageRow('row must be an object');
  if (!(row.time instanceof Date) || Number.isNaN(row.time.getTime())) {
    throw new InvalidUsageRow('time must be a valid Date');
  }
  if (row.status !== 'success' && row.status !== 'error') {
    throw new InvalidUsageRow('status must be "success" or "error"');
  }
  if (typeof row.cached !== 'boolean') throw new InvalidUsageRow('cached must be a boolean');
  const cost = row.cost_usd;
  if (
    cost !== null &&
    cost !== undefined &&
    (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0 || cost > COST_MAX)
  ) {
    throw new InvalidUsageRow('cost_usd must be null or a non-negative number');
  }
  return {
    id,
    time: row.time,
    org_id: text(row.org_id, 'org_id', true),
    user_id: text(row.user_id, 'user_id', false),
    agent_id: text(row.agent_id, 'agent_id', false),
    thread_id: text(row.thread_id, 'thread_id', false),
    service: text(row.service, 'service', true),
    model: text(row.model, 'model', true),
    input_tokens: count(row.input_tokens, 'input_tokens', true),
    output_tokens: count(row.output_tokens, 'output_tokens', true),
    cached_tokens: count(row.cached_tokens, 'cached_tokens', true),
    reasoning_tokens: count(row.reasoning_tokens, 'reasoning_tokens', false),
    cost_usd: cost ?? null,
    latency_ms: count(row.latency_ms, 'latency_ms', true),
    status: row.status,
    error_code: text(row.error_code, 'error_code', false),
    cached: row.cached,
    attempt: count(row.attempt, 'attempt', false),
  };
}
