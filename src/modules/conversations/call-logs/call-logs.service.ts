import { Injectable } from '@nestjs/common';
import { newId } from '../../../common/ids/new-id';
import type { Page, PageRequest } from '../../../common/pagination';
import {
  CALL_LOG_ID_PREFIX,
  type CallLog,
  type CallLogFilter,
  type CallRequestSummary,
  type NewCallLog,
} from './call-log.types';
import { CallLogsRepository } from './call-logs.repository';
import { GroupCommit } from '../../../common/batching/group-commit';

/** A summary larger than this is replaced by a marker: it must never carry a whole prompt. */
const MAX_SUMMARY_BYTES = 4096;

/** Rows per INSERT at most when concurrent records are grouped (19 columns each). */
const MAX_GROUP = 500;

/**
 * One record per completion. `record` resolves once its row is stored (a log whose id is
 * already stored is left as it is: retries are idempotent); records arriving
 * together (one per completed request under load) share one multi-row INSERT, so the store
 * sees a handful of writes per second rather than one per request. `recordMany` inserts the
 * given batch as it is.
 */
@Injectable()
export class CallLogsService {
  private readonly group: GroupCommit<CallLog>;

  constructor(private readonly repo: CallLogsRepository) {
    this.group = new GroupCommit((logs) => this.repo.insertMany(logs), MAX_GROUP);
  }

  async record(entry: NewCallLog): Promise<CallLog> {
    const log = completeCallLog(entry);
    await this.group.add(log);
    return log;
  }

  async recordMany(entries: NewCallLog[]): Promise<CallLog[]> {
    const logs = entries.map(completeCallLog);
    await this.repo.insertMany(logs);
    return logs;
  }

  list(orgId: string, filter: CallLogFilter, page: PageRequest): Promise<Page<CallLog>> {
    return this.repo.list(orgId, filter, page);
  }
}

/** A log as stored: id and defaults filled, counts made sane, the summary bounded. */
export function completeCallLog(e: NewCallLog): CallLog {
  const input = nonNegative(e.input_tokens);
  const output = nonNegative(e.output_tokens);
  return {
    id: e.id ?? newId(CALL_LOG_ID_PREFIX),
    org_id: e.org_id,
    user_id: e.user_id ?? null,
    agent_id: e.agent_id ?? null,
    thread_id: e.thread_id ?? null,
    request_id: e.request_id ?? null,
    service: e.service,
    model: e.model,
    request: boundedSummary(e.request ?? {}),
    outcome: e.outcome,
    cached: e.cached ?? false,
    latency_ms: nonNegative(e.latency_ms),
    input_tokens: input,
    output_tokens: output,
    total_tokens: e.total_tokens === undefined ? input + output : nonNegative(e.total_tokens),
    cached_tokens: nonNegative(e.cached_tokens),
    cost_usd: e.cost_usd ?? null,
    error_code: e.error_code ?? null,
    created_at: e.created_at ?? new Date(),
  };
}

const nonNegative = (n: number | undefined): number =>
  n === undefined || !Number.isFinite(n) ? 0 : Math.max(0, Math.round(n));

function boundedSummary(s: CallRequestSummary): CallRequestSummary {
  return Buffer.byteLength(JSON.stringify(s), 'utf8') <= MAX_SUMMARY_BYTES
    ? { ...s }
    : { truncated: true };
}
