import type { Page, PageRequest } from '../../../common/pagination';
import type { CallLog, CallLogFilter } from './call-log.types';

/**
 * Port (and DI token) for call logs; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Append-only; reads are org-scoped, newest first.
 */
export abstract class CallLogsRepository {
  /**
   * Inserts complete records (ids and defaults filled by the service). A record whose id is
   * already stored is skipped, so a batch retried after an unknown outcome stores each log once.
   */
  abstract insertMany(logs: CallLog[]): Promise<void>;
  abstract list(orgId: string, filter: CallLogFilter, page: PageRequest): Promise<Page<CallLog>>;
}
