import type { AgentFields } from '../../../src/modules/agents/agent.types';
import { AgentsRepository } from '../../../src/modules/agents/agents.repository';
import { MongoAgentsRepository } from '../../../src/modules/agents/mongo/mongo-agents.repository';
import { PostgresAgentsRepository } from '../../../src/modules/agents/postgres/postgres-agents.repository';
import { adapterFor, describeEachBackend, newOrg } from './backends';
import { orgStoreContract } from './org-store.contract';

const fields = (name: string): AgentFields => ({
  name,
  service: 'openai',
  model: 'gpt-4o-mini',
  prompt: 'You help {{customer}}.',
  configuration: { temperature: 0.2, max_tokens: 256, nested: { empty: {} } },
  tool_ids: ['tool_aaaaaaaaaaaaaaaaaaaaaa'],
  fallbacks: [{ service: 'anthropic', model: 'claude-sonnet-4-5' }],
  cache_ttl: null,
  rate_limit: { per_minute: 30 },
  max_tool_iterations: 5,
});

describeEachBackend('AgentsRepository contract', (backend) => {
  let repo: AgentsRepository;
  beforeAll(() => {
    repo = adapterFor(AgentsRepository, backend(), MongoAgentsRepository, PostgresAgentsRepository);
  });

  orgStoreContract({
    store: () => repo,
    idPrefix: 'agt',
    fields,
    patch: { model: 'gpt-4o', cache_ttl: 60, rate_limit: null, configuration: {} },
    uniqueField: 'name',
  });

  it('stores every agent field exactly, including empty objects and nulls', async () => {
    const org = newOrg();
    const f = { ...fields('exact'), configuration: {}, rate_limit: null, tool_ids: [] };
    const created = await repo.create(org, f);
    expect(await repo.get(org, created.id)).toEqual({
      ...f,
      id: created.id,
      org_id: org,
      created_at: created.created_at,
      updated_at: created.updated_at,
    });
  });

  it('keeps a 100k-character prompt intact', async () => {
    const org = newOrg();
    const prompt = 'p'.repeat(100_000);
    const created = await repo.create(org, { ...fields('big'), prompt });
    expect((await repo.get(org, created.id))?.prompt).toHaveLength(100_000);
  });
});
