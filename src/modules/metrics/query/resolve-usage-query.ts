import { AppException, ErrorCode } from '../../../common/errors';
import {
  canonicalInterval,
  DEFAULT_INTERVAL,
  DEFAULT_RANGE_MS,
  MAX_BUCKETS,
  USAGE_INTERVALS,
  type UsageInterval,
} from './usage-intervals';
import type { UsageQueryDto } from './usage-query.dto';
import type { UsageGroupBy } from './usage-query.sql';

export interface ResolvedUsageQuery {
  from: Date;
  to: Date;
  interval: UsageInterval;
  groupBy: UsageGroupBy | undefined;
}

/** A 400 in the envelope that names the parameter, like the validation pipe's. */
export function badParam(param: string, problem: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, `Validation failed: ${param}: ${problem}`, {
    param,
    details: [{ field: param, problems: [problem] }],
  });
}

/**
 * Fills the defaults (the last 24 h, hourly) and checks what single-field validation cannot:
 * `from` before `to`, and the number of buckets within the cap.
 */
export function resolveUsageQuery(dto: UsageQueryDto, now: Date = new Date()): ResolvedUsageQuery {
  const interval = dto.interval === undefined ? DEFAULT_INTERVAL : canonicalInterval(dto.interval);
  if (interval === undefined) throw badParam('interval', 'is not a supported interval');
  const to = dto.to === undefined ? now : new Date(dto.to);
  const from =
    dto.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : new Date(dto.from);
  if (from.getTime() >= to.getTime()) {
    throw badParam(
      'from',
      `must be before to (from=${from.toISOString()}, to=${to.toISOString()})`,
    );
  }
  // +1: the range rarely starts on a bucket boundary, so it can touch one more bucket.
  const buckets = Math.ceil((to.getTime() - from.getTime()) / USAGE_INTERVALS[interval]) + 1;
  if (buckets > MAX_BUCKETS) {
    throw badParam(
      'interval',
      `the range spans about ${buckets} buckets of ${interval}; at most ${MAX_BUCKETS} are allowed: use a wider interval or a shorter range`,
    );
  }
  return { from, to, interval, groupBy: dto.group_by };
}
