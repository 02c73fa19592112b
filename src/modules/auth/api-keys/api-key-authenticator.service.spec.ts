import { AppException, ErrorCode } from '../../../common/errors';
import type { Page } from '../../../common/pagination';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { generateApiKeySecret } from './api-key-secret';
import type { ApiKey, ApiKeyFields } from './api-key.types';
import { ApiKeysRepository } from './api-keys.repository';
import { InProcessInvalidationBus } from './invalidation/api-key-invalidation.bus';

/** An in-memory store that counts lookups (a fake collaborator for this unit). */
class CountingRepo extends ApiKeysRepository {
  readonly byHash = new Map<string, ApiKey>();
  lookups = 0;
  gate: Promise<void> | undefined;
  failing = false;

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    this.lookups++;
    await this.gate;
    if (this.failing) throw new Error('connection refused');
    const found = this.byHash.get(hash);
    return found ? { ...found } : undefined;
  }
  async markUsed(): Promise<void> {}
  async create(_o: string, _f: ApiKeyFields): Promise<ApiKey> {
    throw new Error('unused');
  }
  async get(): Promise<ApiKey | undefined> {
    return undefined;
  }
  async getMany(): Promise<ApiKey[]> {
    return [];
  }
  async list(): Promise<Page<ApiKey>> {
    return { items: [], next_cursor: null };
  }
  async update(): Promise<ApiKey | undefined> {
    return undefined;
  }
  async delete(): Promise<boolean> {
    return false;
  }
}

function setup() {
  const repo = new CountingRepo();
  const bus = new InProcessInvalidationBus();
  const auth = new ApiKeyAuthenticator(repo, bus);
  auth.onModuleInit();
  const add = (over: Partial<ApiKey> = {}) => {
    const { secret, hash, prefix } = generateApiKeySecret();
    const now = new Date();
    const key: ApiKey = {
      id: `key_${repo.byHash.size}xxxxxxxx`,
      org_id: 'o',
      name: 'n',
      user_id: 'u',
      prefix,
      key_hash: hash,
      scopes: [],
      rate_limit: null,
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
      created_by: 'u',
      created_at: now,
      updated_at: now,
      ...over,
    };
    repo.byHash.set(hash, key);
    return { secret, key };
  };
  return { repo, bus, auth, add };
}

async function errorOf(p: Promise<unknown>): Promise<AppException> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppException)) throw new Error(`expected an AppException, got ${String(e)}`);
  return e;
}

describe('ApiKeyAuthenticator', () => {
  it('serves repeated use from the cache', async () => {
    const { repo, auth, add } = setup();
    const { secret, key } = add();
    expect((await auth.authenticate(secret)).id).toBe(key.id);
    await auth.authenticate(secret);
    await auth.authenticate(secret);
    expect(repo.lookups).toBe(1);
  });

  it('makes one store lookup for many concurrent requests with the same key', async () => {
    const { repo, auth, add } = setup();
    const { secret } = add();
    let open!: () => void;
    repo.gate = new Promise((r) => (open = r));
    const all = Promise.all(Array.from({ length: 20 }, () => auth.authenticate(secret)));
    open();
    expect(await all).toHaveLength(20);
    expect(repo.lookups).toBe(1);
  });

  it('refuses a revoked key at once after an invalidation', async () => {
    const { repo, bus, auth, add } = setup();
    const { secret, key } = add();
    await auth.authenticate(secret);
    repo.byHash.set(key.key_hash, { ...key, revoked_at: new Date() });
    await bus.publish(key.id);
    const err = await errorOf(auth.authenticate(secret));
    expect(err.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(err.message).toMatch(/revoked/);
  });

  it('refuses an expired key even while it is cached', async () => {
    const { auth, add } = setup();
    const expiresAt = new Date(Date.now() + 60_000);
    const { secret } = add({ expires_at: expiresAt });
    await auth.authenticate(secret);
    const err = await errorOf(auth.authenticate(secret, new Date(expiresAt.getTime() + 1)));
    expect(err.message).toMatch(/expired/);
  });

  it('refuses unknown and malformed keys; malformed ones without a lookup', async () => {
    const { repo, auth } = setup();
    expect((await errorOf(auth.authenticate('gw_nope'))).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(repo.lookups).toBe(0);
    const unknown = generateApiKeySecret().secret;
    expect((await errorOf(auth.authenticate(unknown))).code).toBe(ErrorCode.UNAUTHENTICATED);
    await errorOf(auth.authenticate(unknown));
    expect(repo.lookups).toBe(1); // the miss was cached briefly
  });

  it('answers 503 (not 401, not 500) when the store is down', async () => {
    const { repo, auth, add } = setup();
    const { secret } = add();
    repo.failing = true;
    expect((await errorOf(auth.authenticate(secret))).code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
  });
});
