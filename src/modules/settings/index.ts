/** The settings module's public surface; other modules import from here only. */
export { SettingsModule } from './settings.module';
export { OrgSettingsService } from './org-settings.service';
export type { OrgSettingsView, OrgWebhookTarget } from './org-settings.types';
export { ConfigLoader, type ResolvedWebhook, type WebhookAudience } from './config-loader';
export { OrgSettingsEntity } from './postgres/org-settings.entity';
