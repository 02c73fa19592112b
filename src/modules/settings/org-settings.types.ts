import type { OrgRecord, RecordFields } from '../../infra/document-store/org-record';

/**
 * An org's stored settings (one record per org). The error-webhook secret is only stored
 * sealed (AES-256-GCM, bound to the org); its hint (`whsec_...ab12`) is what reads show.
 */
export interface OrgSettings extends OrgRecord {
  error_webhook_url: string | null;
  error_webhook_secret_sealed: string | null;
  error_webhook_secret_hint: string | null;
}

export type OrgSettingsFields = RecordFields<OrgSettings>;

export const ORG_SETTINGS_ID_PREFIX = 'oset';

/** Binds a sealed webhook secret to its org, so a copied ciphertext does not open elsewhere. */
export const webhookSecretContext = (orgId: string): string =>
  `org-settings:error-webhook:${orgId}`;

/** What GET/PUT /api/v1/settings show (never the secret itself, except once when generated). */
export interface OrgSettingsView {
  org_id: string;
  error_webhook_url: string | null;
  error_webhook_secret_hint: string | null;
  updated_at: Date | null;
}

/** An org's error-webhook receiver, decrypted, for delivery only. */
export interface OrgWebhookTarget {
  url: string;
  secret: string;
}
