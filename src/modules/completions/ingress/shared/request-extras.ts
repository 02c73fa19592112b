import { AppException, ErrorCode } from '../../../../common/errors';
import type { RequestExtras } from '../../pipeline/completion-job';
import { SAFE_ID_PATTERN } from '../../../../common/validation/safe-id';

/**
 * The gateway extras the /v1 formats carry as headers: `x-thread-id`, `x-sub-thread-id`,
 * `x-cache-ttl`, `cache-control: no-cache` and `x-gateway-strict-params`. A malformed one is a 400 naming the header.
 */
export function requestExtrasFrom(headers: Record<string, string | undefined>): RequestExtras {
  const threadId = headers['x-thread-id'];
  const subThreadId = headers['x-sub-thread-id'];
  for (const [name, value] of [
    ['x-thread-id', threadId],
    ['x-sub-thread-id', subThreadId],
  ] as const) {
    if (value !== undefined && !SAFE_ID_PATTERN.test(value)) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${name} must be 1-128 characters of letters, digits, . _ : -`,
        { param: name },
      );
    }
  }
  const ttlHeader = headers['x-cache-ttl'];
  let cacheTtl: number | undefined;
  if (ttlHeader !== undefined) {
    cacheTtl = Number(ttlHeader);
    if (!Number.isInteger(cacheTtl) || cacheTtl < 0 || cacheTtl > 2592000) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        'x-cache-ttl must be an integer number of seconds between 0 and 2592000',
        { param: 'x-cache-ttl' },
      );
    }
  }
  const noCache = /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(headers['cache-control'] ?? '');
  return { threadId, subThreadId, cacheTtl, noCache, strictParams: strictParamsFrom(headers) };
}

/** `x-gateway-strict-params`: `true` or `false`; anything else is a 400 naming the header. */
function strictParamsFrom(headers: Record<string, string | undefined>): boolean | undefined {
  const value = headers['x-gateway-strict-params']?.trim().toLowerCase();
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new AppException(
    ErrorCode.VALIDATION_FAILED,
    'x-gateway-strict-params must be true or false',
    { param: 'x-gateway-strict-params' },
  );
}
