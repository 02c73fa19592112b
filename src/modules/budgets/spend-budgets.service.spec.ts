import type { Principal } from '../../common/auth/principal';
import { AppException } from '../../common/errors';
import { MemoryRateLimitStore, StoreCallPolicy } from '../throttling';
import type { BudgetAlerts } from './budget-alerts';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import type { BudgetPolicy, BudgetPolicyFields, BudgetSubject } from './budget.types';
import { modelAllowed } from './request-target';
import { SpendBudgets } from './spend-budgets.service';
import { SpendLedger } from './spend-ledger';

class MemoryPolicies extends BudgetPoliciesRepository {
  readonly rows: BudgetPolicy[] = [];
  async list(orgId: string) {
    return this.rows.filter((r) => r.org_id === orgId);
  }
  async put(orgId: string, subject: BudgetSubject, subjectId: string, f: BudgetPolicyFields) {
    const row = { org_id: orgId, subject, subject_id: subjectId, ...f, updated_at: new Date() };
    this.rows.push(row);
    return row;
  }
  async remove() {
    return false;
  }
}

const NONE = { day_usd: null, month_usd: null, alert_percent: null, allowed_models: null };
const NOW = Date.UTC(2026, 11, 4, 12);

describe('SpendBudgets', () => {
  let repo: MemoryPolicies;
  let store: MemoryRateLimitStore;
  let budgets: SpendBudgets;
  let fired: unknown[];
  const principal = (over: Partial<Principal> = {}): Principal => ({
    userId: 'u1',
    orgId: 'o1',
    scopes: [],
    via: 'api_key',
    apiKeyId: 'k1',
    ...over,
  });
  const target = (estimateUsd: number, model = 'openai/gpt-4o-mini') => ({ model, estimateUsd });
  const refusal = async (p: Promise<unknown>): Promise<AppException> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    if (!(e instanceof AppException)) throw new Error(`expected a refusal, got ${String(e)}`);
    return e;
  };

  beforeEach(() => {
    repo = new MemoryPolicies();
    store = new MemoryRateLimitStore(() => NOW);
    fired = [];
    const alerts = { fire: async (e: unknown) => void fired.push(e) } as unknown as BudgetAlerts;
    budgets = new SpendBudgets(repo, new SpendLedger(store, new StoreCallPolicy(false)), alerts);
  });
  afterEach(() => store.onApplicationShutdown());

  it('admits while below the limit, then refuses naming the budget and its reset', async () => {
    await repo.put('o1', 'key', 'k1', { ...NONE, day_usd: 1 });
    const first = principal();
    await budgets.admit(first, target(0.6), NOW);
    await budgets.admit(principal(), target(0.6), NOW); // 0.6 < 1: admitted, overshoots by one
    const e = await refusal(budgets.admit(principal(), target(0.01), NOW));
    expect(e.status).toBe(429);
    expect(e.code).toBe('BUDGET_EXCEEDED');
    expect(e.headers).toEqual({ 'retry-after': String(12 * 3600) });
    expect(e.details).toMatchObject({
      budget: 'key',
      subject_id: 'k1',
      period: 'day',
      resets_at: '2026-12-05T00:00:00.000Z',
    });
    // Settling the first with its real cost (0.1) frees the difference.
    budgets.record(first, 0.1);
    await budgets.settle(first, NOW);
    await budgets.admit(principal(), target(0.01), NOW);
  });

  it('gives a hold back on every budget when one of them refuses', async () => {
    await repo.put('o1', 'org', 'org', { ...NONE, month_usd: 100 });
    await repo.put('o1', 'user', 'u1', { ...NONE, day_usd: 0 });
    await refusal(budgets.admit(principal(), target(5), NOW));
    const [state] = await budgets.states('o1', NOW);
    expect(state).toMatchObject({ subject: 'org', spent_usd: 0, reserved_usd: 0 });
  });

  it('refunds a failed call in full and counts late cost as spent', async () => {
    await repo.put('o1', 'org', 'org', { ...NONE, day_usd: 10 });
    const p = principal();
    await budgets.admit(p, target(2), NOW);
    expect((await budgets.states('o1', NOW))[0]).toMatchObject({ reserved_usd: 2, spent_usd: 0 });
    await budgets.settle(p, NOW);
    expect((await budgets.states('o1', NOW))[0]).toMatchObject({ reserved_usd: 0, spent_usd: 0 });
    budgets.record(p, 0.25, NOW); // a round that ended after its response closed
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await budgets.states('o1', NOW))[0]).toMatchObject({ spent_usd: 0.25 });
  });

  it('fires the threshold alert once per budget and period', async () => {
    await repo.put('o1', 'org', 'org', { ...NONE, day_usd: 1, alert_percent: 50 });
    for (const cost of [0.3, 0.3, 0.3]) {
      const p = principal();
      await budgets.admit(p, target(0.3), NOW);
      budgets.record(p, cost);
      await budgets.settle(p, NOW);
    }
    expect(fired).toEqual([
      expect.objectContaining({ subject: 'org', period: 'day', threshold_percent: 50 }),
    ]);
  });

  it('applies every allowlist that covers the caller', async () => {
    await repo.put('o1', 'org', 'org', { ...NONE, allowed_models: ['openai/*', 'groq/*'] });
    await repo.put('o1', 'key', 'k1', { ...NONE, allowed_models: ['groq/llama-3.3-70b'] });
    await budgets.admit(principal(), target(0, 'groq/llama-3.3-70b'), NOW);
    const e = await refusal(budgets.admit(principal(), target(0, 'openai/gpt-4o'), NOW));
    expect(e.status).toBe(403);
    expect(e.code).toBe('MODEL_NOT_ALLOWED');
    // Another key of the org is only bound by the org's list.
    await budgets.admit(principal({ apiKeyId: 'k2' }), target(0, 'openai/gpt-4o'), NOW);
  });
});

describe('SpendBudgets when the policy store fails', () => {
  it('keeps serving with the last policies read (none when never read)', async () => {
    const store = new MemoryRateLimitStore(() => NOW);
    let fail = true;
    const row: BudgetPolicy = {
      org_id: 'o1',
      subject: 'org',
      subject_id: 'org',
      ...NONE,
      day_usd: 0,
      updated_at: new Date(),
    };
    const repo = {
      list: async () => {
        if (fail) throw new Error('store down');
        return [row];
      },
    } as unknown as BudgetPoliciesRepository;
    const budgets = new SpendBudgets(
      repo,
      new SpendLedger(store, new StoreCallPolicy(false)),
      {} as BudgetAlerts,
    );
    const p: Principal = { userId: 'u', orgId: 'o1', scopes: [], via: 'jwt' };
    const t = { model: 'openai/gpt-4o-mini', estimateUsd: 1 };
    await budgets.admit(p, t, NOW); // never read: nothing to enforce
    fail = false;
    budgets.forget('o1');
    await expect(budgets.admit(p, t, NOW)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    fail = true;
    budgets.forget('o1');
    await expect(budgets.admit(p, t, NOW)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    store.onApplicationShutdown();
  });
});

describe('modelAllowed', () => {
  it.each([
    [['*'], 'openai/gpt-4o', true],
    [['openai/*'], 'openai/gpt-4o', true],
    [['openai/gpt-4o'], 'openai/gpt-4o', true],
    [['openai/gpt-4o'], 'openai/gpt-4o-mini', false],
    [['openrouter/*'], 'openrouter/meta-llama/llama-3.1-8b-instruct', true],
    [['openai/*'], 'anthropic/claude-sonnet-4-6', false],
    [['openai/*'], undefined, false],
  ])('%j allows %s: %s', (list, model, expected) => {
    expect(modelAllowed(list, model)).toBe(expected);
  });
});
