import type { UsageRecord } from '../usage-row';

/**
 * Where flushed batches go (port; the injection token). One call = one statement: it either
 * stores every row or throws. It must be idempotent per row id, because a batch whose outcome
 * was unknown (connection lost after COMMIT) is written again.
 */
export abstract class UsageRowWriter {
  abstract write(rows: readonly UsageRecord[]): Promise<void>;
}

/**
 * Errors that retrying the same rows cannot fix: SQLSTATE class 22 (data exception) and 23
 * (integrity violation). Everything else (connection refused or reset, server shutting down,
 * pool exhausted, even a missing table during a botched deploy) is worth retrying.
 */
export function isPermanentWriteError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
