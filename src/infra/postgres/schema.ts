import { DOCUMENT_STORE_ENTITIES, DOCUMENT_STORE_MIGRATIONS } from './document-store.schema';
import { UsageMetricEntity } from '../../modules/metrics/storage/usage-metric.entity';
import { UsageMetrics1795708382253 } from './migrations/1795708382253-UsageMetrics';
import { ApiKeyEntity } from '../../modules/auth/api-keys/postgres/api-key.entity';
import { ApiKeys1795708440816 } from './migrations/1795708440816-ApiKeys';
import { JobEntity } from '../../modules/queue/jobs/postgres/job.entity';
import { Jobs1795708600000 } from '../../modules/queue/jobs/postgres/1795708600000-Jobs';
import { OrgSettingsEntity } from '../../modules/config-watcher/settings/postgres/org-settings.entity';
import { CatalogOverridesEntity } from '../../modules/config-watcher/catalog/postgres/catalog-overrides.entity';
import { ConfigWatcher1795708800000 } from '../../modules/config-watcher/postgres/1795708800000-ConfigWatcher';
import { PostAnswerOutboxEntity } from '../../modules/completions/pipeline/post-answer/postgres/outbox.entity';
import { PostAnswerOutbox1795709000000 } from '../../modules/completions/pipeline/post-answer/postgres/1795709000000-PostAnswerOutbox';

/**
 * Every TypeORM entity and migration of the SQL store, in one list: the schema only changes
 * through migrations (never `synchronize`), and the migration check compares against these.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SQL_ENTITIES: Function[] = [
  UsageMetricEntity,
  ...DOCUMENT_STORE_ENTITIES,
  ApiKeyEntity,
  JobEntity,
  OrgSettingsEntity,
  CatalogOverridesEntity,
  PostAnswerOutboxEntity,
];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SQL_MIGRATIONS: Function[] = [
  UsageMetrics1795708382253,
  ...DOCUMENT_STORE_MIGRATIONS,
  ApiKeys1795708440816,
  Jobs1795708600000,
  ConfigWatcher1795708800000,
  PostAnswerOutbox1795709000000,
];
