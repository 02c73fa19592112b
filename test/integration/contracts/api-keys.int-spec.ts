import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { AppException, ErrorCode } from '../../../src/common/errors';
import { PostgresConnection } from '../../../src/infra/postgres/postgres.connection';
import { ApiKeys1795708440816 } from '../../../src/infra/postgres/migrations/1795708440816-ApiKeys';
import { generateApiKeySecret } from '../../../src/modules/auth/api-keys/api-key-secret';
import type { ApiKey, ApiKeyFields } from '../../../src/modules/auth/api-keys/api-key.types';
import type { ApiKeysRepository } from '../../../src/modules/auth/api-keys/api-keys.repository';
import { MongoApiKeysRepository } from '../../../src/modules/auth/api-keys/mongo/mongo-api-keys.repository';
import { ApiKeyEntity } from '../../../src/modules/auth/api-keys/postgres/api-key.entity';
import { PostgresApiKeysRepository } from '../../../src/modules/auth/api-keys/postgres/postgres-api-keys.repository';
import { describeWithServices, SERVICE_URLS, type ServiceKey } from '../../support/services';

interface Opened {
  repo: ApiKeysRepository;
  /** Pending schema changes between the entity and the migrated database (SQL only). */
  pendingSchemaChanges?: () => Promise<string[]>;
  close(): Promise<void>;
}

async function openSql(databaseUrl: string | undefined): Promise<Opened> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-apikeys-'));
  const conn = await PostgresConnection.open({
    databaseUrl,
    dataDir,
    entities: [ApiKeyEntity],
    migrations: [ApiKeys1795708440816],
  });
  return {
    repo: new PostgresApiKeysRepository(conn.dataSource),
    pendingSchemaChanges: async () =>
      (await conn.dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query),
    close: async () => {
      await conn.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openMongo(uri: string): Promise<Opened> {
  const connection = await mongoose
    .createConnection(uri, { serverSelectionTimeoutMS: 5000, bufferCommands: false })
    .asPromise();
  return { repo: new MongoApiKeysRepository(connection), close: () => connection.close() };
}

const targets: Array<{ name: string; services: ServiceKey[]; open: () => Promise<Opened> }> = [
  { name: 'Postgres adapter on embedded PGlite', services: [], open: () => openSql(undefined) },
  {
    name: 'Postgres adapter on PostgreSQL',
    services: ['DATABASE_URL'],
    open: () => openSql(SERVICE_URLS.DATABASE_URL),
  },
  {
    name: 'Mongo adapter on MongoDB',
    services: ['MONGODB_URI'],
    open: () => openMongo(SERVICE_URLS.MONGODB_URI!),
  },
];

function fields(over: Partial<ApiKeyFields> = {}): ApiKeyFields {
  const { hash, prefix } = generateApiKeySecret();
  return {
    name: 'ci',
    user_id: 'user-1',
    prefix,
    key_hash: hash,
    scopes: ['admin'],
    rate_limit: null,
    expires_at: null,
    revoked_at: null,
    last_used_at: null,
    created_by: 'user-1',
    ...over,
  };
}

for (const target of targets) {
  describeWithServices(target.services, `ApiKeysRepository contract: ${target.name}`, () => {
    let db: Opened;
    let repo: ApiKeysRepository;
    // Fresh orgs per run: the real servers are shared and keep data between runs.
    const org = `org-${randomUUID()}`;
    const otherOrg = `org-${randomUUID()}`;

    beforeAll(async () => {
      db = await target.open();
      repo = db.repo;
    });
    afterAll(async () => {
      await db?.close();
    });

    it('creates a key and reads it back in its org only', async () => {
      const expires = new Date(Date.now() + 3_600_000);
      const created = await repo.create(
        org,
        fields({ rate_limit: { per_minute: 9 }, expires_at: expires }),
      );
      expect(created.id).toMatch(/^key_[A-Za-z0-9_-]{22}$/);
      const read = await repo.get(org, created.id);
      expect(read).toEqual(created);
      expect(read?.expires_at).toBeInstanceOf(Date);
      expect(read?.expires_at?.getTime()).toBe(expires.getTime());
      expect(read?.rate_limit).toEqual({ per_minute: 9 });
      expect(read?.revoked_at).toBeNull();
      expect(await repo.get(otherOrg, created.id)).toBeUndefined();
      expect(await repo.getMany(otherOrg, [created.id])).toEqual([]);
      expect((await repo.getMany(org, [created.id])).map((k) => k.id)).toEqual([created.id]);
    });

    it('finds a key by hash in any org, and nothing for an unknown hash', async () => {
      const f = fields();
      const created = await repo.create(otherOrg, f);
      expect((await repo.findByHash(f.key_hash))?.id).toBe(created.id);
      expect((await repo.findByHash(f.key_hash))?.org_id).toBe(otherOrg);
      expect(await repo.findByHash(generateApiKeySecret().hash)).toBeUndefined();
    });

    it('refuses a second key with the same hash (409)', async () => {
      const f = fields();
      await repo.create(org, f);
      const err = await repo.create(org, { ...f, name: 'again' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppException);
      expect((err as AppException).code).toBe(ErrorCode.CONFLICT);
    });

    it('updates only within the org, and clears nullable fields', async () => {
      const created = await repo.create(org, fields({ rate_limit: { per_minute: 3 } }));
      expect(await repo.update(otherOrg, created.id, { name: 'stolen' })).toBeUndefined();
      const updated = await repo.update(org, created.id, {
        name: 'renamed',
        scopes: [],
        rate_limit: null,
      });
      expect(updated).toMatchObject({ name: 'renamed', scopes: [], rate_limit: null });
      expect(updated!.updated_at.getTime()).toBeGreaterThanOrEqual(created.updated_at.getTime());
      const revokedAt = new Date();
      const revoked = await repo.update(org, created.id, { revoked_at: revokedAt });
      expect(revoked?.revoked_at?.getTime()).toBe(revokedAt.getTime());
      expect((await repo.findByHash(created.key_hash))?.revoked_at).not.toBeNull();
    });

    it('records use without touching updated_at, within the org only', async () => {
      const created = await repo.create(org, fields());
      const at = new Date(Date.now() + 1000);
      await repo.markUsed(otherOrg, created.id, at);
      expect((await repo.get(org, created.id))?.last_used_at).toBeNull();
      await repo.markUsed(org, created.id, at);
      const read = await repo.get(org, created.id);
      expect(read?.last_used_at?.getTime()).toBe(at.getTime());
      expect(read?.updated_at.getTime()).toBe(created.updated_at.getTime());
    });

    it('lists an org page by page in (created_at, id) order, with a cursor', async () => {
      const listOrg = `org-${randomUUID()}`;
      const made: ApiKey[] = [];
      for (let i = 0; i < 5; i++) made.push(await repo.create(listOrg, fields({ name: `k${i}` })));
      await repo.create(otherOrg, fields());
      // Keys made in the same millisecond are ordered by id: the order is (created_at, id).
      const expected = [...made]
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1))
        .map((k) => k.id);
      const first = await repo.list(listOrg, { limit: 2 });
      expect(first.next_cursor).not.toBeNull();
      const second = await repo.list(listOrg, { limit: 2, cursor: first.next_cursor! });
      const third = await repo.list(listOrg, { limit: 2, cursor: second.next_cursor! });
      const paged = [first, second, third].flatMap((p) => p.items.map((k) => k.id));
      expect(paged).toEqual(expected);
      expect(third.next_cursor).toBeNull();
    });

    it('deletes within the org only', async () => {
      const created = await repo.create(org, fields());
      expect(await repo.delete(otherOrg, created.id)).toBe(false);
      expect(await repo.delete(org, created.id)).toBe(true);
      expect(await repo.delete(org, created.id)).toBe(false);
      expect(await repo.findByHash(created.key_hash)).toBeUndefined();
    });

    if (target.services.includes('MONGODB_URI')) return;
    it('has a schema that matches the entity exactly (the migration is complete)', async () => {
      expect(await db.pendingSchemaChanges!()).toEqual([]);
    });
  });
}
