import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { monitoringConfig } from '../../config';
import { OrgSettingsService } from './org-settings.service';

/** Who receives an error event: the deployment's operators, or the org whose request failed. */
export type WebhookAudience = { kind: 'deployment' } | { kind: 'org'; orgId: string };

export interface ResolvedWebhook {
  url: string;
  /** HMAC key for `x-signature`. */
  secret: string;
}

/**
 * Reads configuration that merges environment and stored values (the precedence is written
 * down in the README's "Live configuration": defaults < environment < stored). Everything here is read at
 * use time, so a stored change is in force as soon as the caches behind it were told.
 */
@Injectable()
export class ConfigLoader {
  constructor(
    @Inject(monitoringConfig.KEY) private readonly monitoring: ConfigType<typeof monitoringConfig>,
    private readonly settings: OrgSettingsService,
  ) {}

  /** The audiences an org's error goes to: the deployment's receiver, then the org's own. */
  async errorWebhookAudiences(orgId: string | undefined): Promise<WebhookAudience[]> {
    const out: WebhookAudience[] = [];
    if (this.deploymentWebhook()) out.push({ kind: 'deployment' });
    if (orgId !== undefined && (await this.settings.webhookTarget(orgId))) {
      out.push({ kind: 'org', orgId });
    }
    return out;
  }

  /** Where an audience's events go now, or undefined when it no longer has a receiver. */
  async errorWebhook(audience: WebhookAudience): Promise<ResolvedWebhook | undefined> {
    return audience.kind === 'deployment'
      ? this.deploymentWebhook()
      : this.settings.webhookTarget(audience.orgId);
  }

  private deploymentWebhook(): ResolvedWebhook | undefined {
    const { errorWebhookUrl: url, errorWebhookSecret: secret } = this.monitoring;
    return url && secret ? { url, secret } : undefined;
  }
}
