import { DOCUMENT_STORE_ENTITIES, DOCUMENT_STORE_MIGRATIONS } from './document-store.schema';
import { UsageMetricEntity } from '../../modules/metrics';
import { UsageMetrics1795708382253 } from './migrations/1795708382253-UsageMetrics';
import { ApiKeyEntity } from '../../modules/auth';
import { ApiKeys1795708440816 } from './migrations/1795708440816-ApiKeys';
import { JobEntity, Jobs1795708600000 } from '../../modules/queue';
import {
  CatalogOverridesEntity,
  ConfigWatcher1795708800000,
  OrgSettingsEntity,
} from '../../modules/config-watcher';
import { PostAnswerOutbox1795709000000, PostAnswerOutboxEntity } from '../../modules/completions';

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
