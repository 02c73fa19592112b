import type { SecretBox } from '../../common/crypto/secret-box';
import type { SealedColumnMaintenance, SealedValue } from './org-record';

export interface ResealReport {
  /** Sealed values looked at. */
  scanned: number;
  /** Re-encrypted with the current key. */
  resealed: number;
  /** Could not be opened with any configured key (left untouched). */
  failed: number;
}

const BATCH = 100;

/**
 * Re-encrypts every value of one sealed column that an older key produced, in id order and
 * in batches. Each write is a compare-and-swap, so a concurrent edit is never overwritten and
 * running it twice (or on two instances) is harmless. Values no key opens are counted, not lost.
 */
export async function resealColumn(
  store: SealedColumnMaintenance,
  box: SecretBox,
  contextOf: (v: SealedValue) => string,
): Promise<ResealReport> {
  const report: ResealReport = { scanned: 0, resealed: 0, failed: 0 };
  let after: string | undefined;
  for (;;) {
    const batch = await store.scanSealed(after, BATCH);
    if (batch.length === 0) return report;
    for (const v of batch) {
      report.scanned += 1;
      if (!box.isStale(v.sealed)) continue;
      let next: string;
      try {
        next = box.reseal(v.sealed, contextOf(v));
      } catch {
        report.failed += 1;
        continue;
      }
      if (await store.swapSealed(v.org_id, v.id, v.sealed, next)) report.resealed += 1;
    }
    after = batch[batch.length - 1].id;
  }
}
