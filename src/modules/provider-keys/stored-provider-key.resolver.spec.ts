import type { ResolvedProviderKey } from '../providers';
import type { ProviderKeysService } from './provider-keys.service';
import { StoredProviderKeyResolver } from './stored-provider-key.resolver';

/** A key service whose lookups finish when the test says so. */
function fakeKeys() {
  const calls: string[] = [];
  const pending: {
    resolve: (v: ResolvedProviderKey[]) => void;
    reject: (e: Error) => void;
  }[] = [];
  const service = {
    resolveAll: (orgId: string, service: string) => {
      calls.push(`${orgId}/${service}`);
      return new Promise<ResolvedProviderKey[]>((resolve, reject) =>
        pending.push({ resolve, reject }),
      );
    },
  };
  return { calls, pending, service: service as unknown as ProviderKeysService };
}

const KEY: ResolvedProviderKey = { apiKey: 'sk-org', baseUrl: undefined, weight: 1 };
const KEY2: ResolvedProviderKey = { apiKey: 'sk-org-2', weight: 3 };

describe('StoredProviderKeyResolver', () => {
  it('shares one lookup among concurrent callers for the same org and service', async () => {
    const keys = fakeKeys();
    const resolver = new StoredProviderKeyResolver(keys.service);
    const all = Promise.all([1, 2, 3].map(() => resolver.resolve('org-1', 'openai')));
    const other = resolver.resolve('org-2', 'openai');
    expect(keys.calls).toEqual(['org-1/openai', 'org-2/openai']);
    keys.pending[0].resolve([KEY, KEY2]);
    keys.pending[1].resolve([]);
    expect(await all).toEqual([KEY, KEY, KEY]);
    expect(await other).toBeUndefined();
  });

  it('looks up again once the shared lookup has finished, also after a failure', async () => {
    const keys = fakeKeys();
    const resolver = new StoredProviderKeyResolver(keys.service);
    const first = Promise.all([resolver.resolve('o', 'openai'), resolver.resolve('o', 'openai')]);
    keys.pending[0].reject(new Error('store down'));
    await expect(first).rejects.toThrow('store down');
    const second = resolver.resolve('o', 'openai');
    expect(keys.calls).toEqual(['o/openai', 'o/openai']);
    keys.pending[1].resolve([KEY]);
    expect(await second).toEqual(KEY);
  });

  it("hands the providers the org's whole weighted pool", async () => {
    const keys = fakeKeys();
    const resolver = new StoredProviderKeyResolver(keys.service);
    const pool = resolver.resolveAll('o', 'openai');
    keys.pending[0].resolve([KEY, KEY2]);
    expect(await pool).toEqual([KEY, KEY2]);
  });
});
