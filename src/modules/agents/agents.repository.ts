import type { Page, PageRequest } from '../../common/pagination';
import type { OrgScopedStore } from '../../infra/document-store/org-record';
import type { Agent, AgentFields } from './agent.types';

/**
 * Port (and DI token) for stored agents; bound to the MongoDB or Postgres adapter by
 * `provideRepository`. Every method is org-scoped: another org's agent is `undefined`.
 * A duplicate name in the org rejects with 409 CONFLICT.
 */
export abstract class AgentsRepository implements OrgScopedStore<Agent> {
  abstract create(orgId: string, fields: AgentFields): Promise<Agent>;
  abstract get(orgId: string, id: string): Promise<Agent | undefined>;
  abstract getMany(orgId: string, ids: string[]): Promise<Agent[]>;
  abstract list(orgId: string, page: PageRequest): Promise<Page<Agent>>;
  abstract update(
    orgId: string,
    id: string,
    patch: Partial<AgentFields>,
  ): Promise<Agent | undefined>;
  abstract delete(orgId: string, id: string): Promise<boolean>;
}
