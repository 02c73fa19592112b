import type { SqlSchema } from './infra/postgres/postgres.module';
import { DocumentStore1795708300000 } from './infra/postgres/migrations/1795708300000-DocumentStore';
import { UsageMetrics1795708382253 } from './infra/postgres/migrations/1795708382253-UsageMetrics';
import { ApiKeys1795708440816 } from './infra/postgres/migrations/1795708440816-ApiKeys';
import { AgentEntity } from './modules/agents';
import { ApiKeyEntity } from './modules/auth';
import {
  BudgetPolicies1795709500000,
  BudgetPolicyChanges1795709600000,
  BudgetPolicyEntity,
} from './modules/budgets';
import { PostAnswerOutbox1795709000000, PostAnswerOutboxEntity } from './modules/completions';
import { CatalogOverridesEntity } from './modules/catalog-overrides';
import { ConfigWatcher1795708800000 } from './modules/config-watcher';
import { CallLogEntity, ConversationMessageEntity } from './modules/conversations';
import { UsageMetricEntity } from './modules/metrics';
import { ProviderKeyEntity, ProviderKeyPools1795709400000 } from './modules/provider-keys';
import {
  ConversationRecordEntity,
  ResponseEntity,
  Responses1795709200000,
} from './modules/responses';
import { JobEntity, Jobs1795708600000 } from './modules/queue';
import { OrgSettingsEntity } from './modules/settings';
import { ToolEntity } from './modules/tools';

/**
 * Every TypeORM entity and migration of the SQL store, in one list owned by the application
 * root: the feature modules own their tables, infra only opens the connection it is handed
 * (so it never imports a feature module). The schema only changes through migrations (never
 * `synchronize`), and the migration check (app.schema.spec.ts) compares against these.
 */
export const SQL_SCHEMA: SqlSchema = {
  entities: [
    UsageMetricEntity,
    // The document store's tables (agents, tools, provider keys, conversations, call logs).
    AgentEntity,
    ToolEntity,
    ProviderKeyEntity,
    ConversationMessageEntity,
    CallLogEntity,
    ApiKeyEntity,
    JobEntity,
    OrgSettingsEntity,
    CatalogOverridesEntity,
    PostAnswerOutboxEntity,
    ResponseEntity,
    ConversationRecordEntity,
    BudgetPolicyEntity,
  ],
  migrations: [
    UsageMetrics1795708382253,
    DocumentStore1795708300000,
    ApiKeys1795708440816,
    Jobs1795708600000,
    ConfigWatcher1795708800000,
    PostAnswerOutbox1795709000000,
    Responses1795709200000,
    ProviderKeyPools1795709400000,
    BudgetPolicies1795709500000,
    BudgetPolicyChanges1795709600000,
  ],
};
export const SQL_ENTITIES = SQL_SCHEMA.entities;
export const SQL_MIGRATIONS = SQL_SCHEMA.migrations;
