/** Bucket widths a usage query may ask for; anything else is a 400 (never SQL from the client). */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const USAGE_INTERVALS = {
  '1 minute': MINUTE,
  '5 minutes': 5 * MINUTE,
  '15 minutes': 15 * MINUTE,
  '30 minutes': 30 * MINUTE,
  '1 hour': HOUR,
  '6 hours': 6 * HOUR,
  '12 hours': 12 * HOUR,
  '1 day': DAY,
} as const;

export type UsageInterval = keyof typeof USAGE_INTERVALS;

/** Short spellings accepted on input; responses always echo the canonical form. */
const ALIASES: Record<string, UsageInterval> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '6h': '6 hours',
  '12h': '12 hours',
  '1d': '1 day',
};

export const ACCEPTED_INTERVALS: string[] = [
  ...Object.keys(USAGE_INTERVALS),
  ...Object.keys(ALIASES),
];

export function canonicalInterval(value: string): UsageInterval | undefined {
  if (value in USAGE_INTERVALS) return value as UsageInterval;
  return ALIASES[value];
}

export const DEFAULT_INTERVAL: UsageInterval = '1 hour';
export const DEFAULT_RANGE_MS = DAY;
/** Caps the work and the response: e.g. 24 h by minute (1440) or a week by 5 minutes (2016). */
export const MAX_BUCKETS = 2_100;
/** Cap on bucket x group rows (a range grouped by user can be wide). */
export const MAX_RESULT_ROWS = 50_000;
