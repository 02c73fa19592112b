import { counter } from '../../common/metrics/prom';

export const storeErrors = () =>
  counter(
    'gateway_rate_limit_store_errors_total',
    'Rate-limit store calls that failed or timed out; policy="open": the request was admitted (store unreachable, RATE_LIMIT_FAIL_OPEN), "closed": refused with 503',
    ['operation', 'policy'],
  );

export const rateLimited = () =>
  counter('gateway_rate_limited_total', 'Requests refused by a rate limit', ['level']);
