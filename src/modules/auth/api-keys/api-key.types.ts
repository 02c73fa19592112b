import type { OrgRecord, RecordFields } from '../../../infra/document-store/org-record';

/** A per-key override of the per-user request limit. */
export interface ApiKeyRateLimit {
  per_minute: number;
}

/**
 * A gateway API key as stored. Only the SHA-256 of the secret is kept (`key_hash`); `prefix`
 * (the first characters of the secret) lets people tell their keys apart in lists.
 */
export interface ApiKey extends OrgRecord {
  name: string;
  /** Requests made with the key act as this user (limits, metrics, conversations). */
  user_id: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  rate_limit: ApiKeyRateLimit | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string;
}

export type ApiKeyFields = RecordFields<ApiKey>;

export const API_KEY_ID_PREFIX = 'key';

/** Why a stored key cannot be used now, or undefined when it can. */
export function unusableReason(key: ApiKey, now: Date): 'revoked' | 'expired' | undefined {
  if (key.revoked_at !== null) return 'revoked';
  if (key.expires_at !== null && key.expires_at.getTime() <= now.getTime()) return 'expired';
  return undefined;
}
