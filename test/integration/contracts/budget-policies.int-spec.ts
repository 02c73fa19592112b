import { BudgetPoliciesRepository } from '../../../src/modules/budgets/budget-policies.repository';
import { MongoBudgetPoliciesRepository } from '../../../src/modules/budgets/mongo/mongo-budget-policies.repository';
import { PostgresBudgetPoliciesRepository } from '../../../src/modules/budgets/postgres/postgres-budget-policies.repository';
import { adapterFor, describeEachBackend, newOrg } from './backends';

describeEachBackend('BudgetPoliciesRepository', (backend) => {
  const repo = () =>
    adapterFor(
      BudgetPoliciesRepository,
      backend(),
      MongoBudgetPoliciesRepository,
      PostgresBudgetPoliciesRepository,
    );
  const full = {
    day_usd: 12.5,
    month_usd: 0.000000001,
    alert_percent: 80,
    allowed_models: ['openai/gpt-4o-mini', 'anthropic/*'],
  };
  const none = { day_usd: null, month_usd: null, alert_percent: null, allowed_models: null };

  it('stores every field and lists only the org, ordered by subject then id', async () => {
    const org = newOrg();
    const other = newOrg();
    await repo().put(org, 'user', 'u-2', none);
    await repo().put(org, 'key', 'key_1', full);
    await repo().put(org, 'user', 'u-1', full);
    await repo().put(other, 'org', 'org', full);
    const listed = await repo().list(org);
    expect(listed.map((p) => `${p.subject}:${p.subject_id}`)).toEqual([
      'key:key_1',
      'user:u-1',
      'user:u-2',
    ]);
    expect(listed[0]).toMatchObject({ org_id: org, ...full });
    expect(listed[0].updated_at).toBeInstanceOf(Date);
    expect(listed[2]).toMatchObject(none);
  });

  it('replaces a policy in place and removes it', async () => {
    const org = newOrg();
    await repo().put(org, 'org', 'org', full);
    const replaced = await repo().put(org, 'org', 'org', { ...none, day_usd: 3 });
    expect(replaced).toMatchObject({ day_usd: 3, month_usd: null, allowed_models: null });
    expect(await repo().list(org)).toHaveLength(1);
    expect(await repo().remove(org, 'org', 'org')).toBe(true);
    expect(await repo().remove(org, 'org', 'org')).toBe(false);
    expect(await repo().list(org)).toEqual([]);
  });

  it('never removes another org’s policy', async () => {
    const org = newOrg();
    await repo().put(org, 'key', 'k', full);
    expect(await repo().remove(newOrg(), 'key', 'k')).toBe(false);
    expect(await repo().list(org)).toHaveLength(1);
  });
});
