import { Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DecryptionError, EncryptionUnavailableError, SecretBox } from '../../common/crypto';
import { EgressPolicy } from '../../common/egress';
import { AppException, ErrorCode } from '../../common/errors';
import { ReadThroughCache } from '../../common/cache/read-through-cache';
import { ConfigChangeBus } from '../config-watcher';
import type { UpdateSettingsDto } from './dto/update-settings.dto';
import { OrgSettingsRepository } from './org-settings.repository';
import {
  webhookSecretContext,
  type OrgSettings,
  type OrgSettingsView,
  type OrgWebhookTarget,
} from './org-settings.types';

/** The cache holds one entry per org, under this id. */
const ENTRY = 'settings';

export interface UpdatedSettings {
  view: OrgSettingsView;
  /** The generated signing secret: returned by the one response that created it, never again. */
  generatedSecret?: string;
}

/**
 * Per-org stored settings: the error-webhook receiver and its signing secret (sealed at rest,
 * generated when the org does not bring one). Reads on the error path are cached and kept
 * fresh by config change events.
 */
@Injectable()
export class OrgSettingsService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new ReadThroughCache<OrgSettings>({
    ttlMs: 60_000,
    // Most orgs have no settings; creating them announces a change, which drops this entry.
    negativeTtlMs: 60_000,
    maxEntries: 10_000,
  });
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repo: OrgSettingsRepository,
    private readonly box: SecretBox,
    private readonly changes: ConfigChangeBus,
    @Optional() private readonly egress?: EgressPolicy,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.changes.subscribe(['org_settings'], (e) => {
      if (e.type === 'resync' || e.change.org_id === null) this.cache.clear();
      else this.cache.invalidate(e.change.org_id, ENTRY);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The org's settings as stored (not cached: management reads must be current). */
  async view(orgId: string): Promise<OrgSettingsView> {
    return toView(orgId, await this.repo.get(orgId));
  }

  async update(orgId: string, dto: UpdateSettingsDto): Promise<UpdatedSettings> {
    const current = await this.repo.get(orgId);
    const url =
      dto.error_webhook_url === undefined
        ? (current?.error_webhook_url ?? null)
        : dto.error_webhook_url;
    if (dto.error_webhook_secret !== undefined && dto.rotate_error_webhook_secret) {
      throw invalid(
        'rotate_error_webhook_secret',
        'send either error_webhook_secret or rotate_error_webhook_secret, not both',
      );
    }
    let sealed = current?.error_webhook_secret_sealed ?? null;
    let hint = current?.error_webhook_secret_hint ?? null;
    let generatedSecret: string | undefined;
    if (url === null) {
      if (dto.error_webhook_secret !== undefined || dto.rotate_error_webhook_secret) {
        throw invalid('error_webhook_url', 'a signing secret needs an error_webhook_url');
      }
      sealed = null;
      hint = null;
    } else {
      this.assertReachable(url);
      let secret = dto.error_webhook_secret;
      if (secret === undefined && (dto.rotate_error_webhook_secret || sealed === null)) {
        secret = generateSecret();
        generatedSecret = secret;
      }
      if (secret !== undefined) {
        sealed = this.seal(orgId, secret);
        hint = hintOf(secret);
      }
    }
    const saved = await this.repo.upsert(orgId, {
      error_webhook_url: url,
      error_webhook_secret_sealed: sealed,
      error_webhook_secret_hint: hint,
    });
    await this.changes.announce({
      kind: 'org_settings',
      org_id: orgId,
      id: saved.id,
      op: 'upsert',
    });
    return { view: toView(orgId, saved), generatedSecret };
  }

  /** The org's error-webhook receiver with its secret decrypted, for delivery; cached. */
  async webhookTarget(orgId: string): Promise<OrgWebhookTarget | undefined> {
    const s = await this.cache.get(orgId, ENTRY, () => this.repo.get(orgId));
    if (!s?.error_webhook_url || !s.error_webhook_secret_sealed) return undefined;
    return { url: s.error_webhook_url, secret: this.open(orgId, s.error_webhook_secret_sealed) };
  }

  /** An address (or loopback name) the egress policy refuses would never receive anything: say so now. */
  private assertReachable(url: string): void {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (this.egress?.refusal(new URL(url))) {
      throw invalid(
        'error_webhook_url',
        `error_webhook_url: ${host} is a private address the egress policy does not allow (see EGRESS_ALLOWLIST)`,
      );
    }
  }

  private seal(orgId: string, secret: string): string {
    try {
      return this.box.encrypt(secret, webhookSecretContext(orgId));
    } catch (e) {
      if (e instanceof EncryptionUnavailableError) {
        throw new AppException(
          ErrorCode.SERVICE_UNAVAILABLE,
          'Webhook secrets cannot be stored: the gateway has no ENCRYPTION_KEY configured',
        );
      }
      throw e;
    }
  }

  private open(orgId: string, sealed: string): string {
    try {
      return this.box.decrypt(sealed, webhookSecretContext(orgId));
    } catch (e) {
      if (e instanceof DecryptionError) {
        throw new Error(
          `The error-webhook secret of org ${orgId} cannot be decrypted: was ENCRYPTION_KEY changed without listing the old key in ENCRYPTION_KEY_PREVIOUS?`,
          { cause: e },
        );
      }
      throw e;
    }
  }
}

function toView(orgId: string, s: OrgSettings | undefined): OrgSettingsView {
  return {
    org_id: orgId,
    error_webhook_url: s?.error_webhook_url ?? null,
    error_webhook_secret_hint: s?.error_webhook_secret_hint ?? null,
    updated_at: s?.updated_at ?? null,
  };
}

function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('hex')}`;
}

/** `whsec_...9f2c`: enough to tell secrets apart, nothing to sign with. */
function hintOf(secret: string): string {
  return `${secret.startsWith('whsec_') ? 'whsec_' : ''}...${secret.slice(-4)}`;
}

function invalid(param: string, message: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, {
    param,
    details: [{ field: param, problems: [message] }],
  });
}
