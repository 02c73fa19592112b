import type { OrgRecord, RecordFields } from '../../infra/document-store/org-record';
import type { ServiceName } from '../providers';

/** Bounds of a key's weight. */
export const MIN_KEY_WEIGHT = 1;
export const MAX_KEY_WEIGHT = 1000;

/** An org's own key for one service, as stored: the key itself only sealed (AES-256-GCM). */
export interface StoredProviderKey extends OrgRecord {
  service: ServiceName;
  key_sealed: string;
  /** e.g. `sk-...abcd`, computed when the key is written so reads never decrypt. */
  masked_key: string;
  /** Optional per-org endpoint for the service (a proxy, a regional host). */
  base_url: string | null;
  /** Share of the org's calls to the service among its keys for it (1-1000; 1 by default). */
  weight: number;
  /** Optional label (e.g. `eu-project`), shown in lists and logs instead of the key. */
  name: string | null;
}

export type StoredProviderKeyFields = RecordFields<StoredProviderKey>;

/** A provider key as the API shows it: masked, never the key. */
export type ProviderKey = Omit<StoredProviderKey, 'key_sealed'>;

export const PROVIDER_KEY_ID_PREFIX = 'pkey';

/** Binds a sealed key to its org and record, so a copied ciphertext does not open. */
export const providerKeyContext = (orgId: string, id: string): string =>
  `provider-key:${orgId}:${id}`;

/** `sk-proj-abc...wxyz` -> `sk-...wxyz`; short keys reveal nothing. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}...${key.slice(-4)}` : '****';
}
