import { AppException } from '../../../common/errors';
import { PermanentJobError, RetryableJobError } from '../core/errors';
import type { JobError } from '../jobs/job.types';

/**
 * The client-safe form of whatever a run threw. Our own errors carry messages written for the
 * job's owner; anything else may hold internals (SQL, hosts), so it becomes a generic message
 * and the details stay in the log.
 */
export function toJobError(e: unknown): JobError {
  if (e instanceof AppException) return { code: e.code, message: e.message };
  if (e instanceof PermanentJobError || e instanceof RetryableJobError) {
    return { code: e.code, message: e.message };
  }
  if (e instanceof Error && e.name === 'AbortError') {
    return { code: 'ABORTED', message: 'The run was interrupted (shutdown or time limit)' };
  }
  if (e instanceof Error && e.name === 'TimeoutError') {
    return { code: 'TIMEOUT', message: 'The run took longer than its time limit' };
  }
  return { code: 'INTERNAL', message: 'The job failed with an internal error' };
}
