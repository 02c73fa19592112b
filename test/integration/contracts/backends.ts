import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import type { DataSource } from 'typeorm';
import { PostgresConnection } from '../../../src/infra/postgres/postgres.connection';
import { SQL_ENTITIES, SQL_MIGRATIONS } from '../../../src/app.schema';
import { describeWithServices, SERVICE_URLS } from '../../support/services';

/** A live document store: exactly one of the two connections is set. */
export type Backend =
  { kind: 'postgres'; dataSource: DataSource } | { kind: 'mongo'; connection: Connection };

/** Builds the adapter of a port for the backend under test (the port only fixes the type). */
export function adapterFor<P>(
  _port: abstract new (...args: never[]) => P,
  b: Backend,
  Mongo: new (c: Connection) => P,
  Postgres: new (d: DataSource) => P,
): P {
  return b.kind === 'mongo' ? new Mongo(b.connection) : new Postgres(b.dataSource);
}

/** A fresh org per test: suites share databases, so isolation comes from the org id. */
export const newOrg = (): string => `org-${randomUUID()}`;

/**
 * Runs one contract suite against every adapter: PGlite (always), the PostgreSQL at
 * DATABASE_URL and the MongoDB-protocol server at MONGODB_URI (each when set; required under
 * REQUIRE_SERVICES=1). Postgres variants run the real migrations first.
 */
export function describeEachBackend(name: string, suite: (backend: () => Backend) => void): void {
  describeEachSqlBackend(name, (dataSource) =>
    suite(() => ({ kind: 'postgres', dataSource: dataSource() })),
  );
  describeWithServices(['MONGODB_URI'], `${name} [MongoDB protocol]`, () => {
    let connection: Connection | undefined;
    beforeAll(async () => {
      connection = await mongoose
        .createConnection(SERVICE_URLS.MONGODB_URI!, {
          serverSelectionTimeoutMS: 5000,
          autoIndex: true,
          bufferCommands: false,
        })
        .asPromise();
    });
    afterAll(async () => {
      await connection?.close();
    });
    suite(() => ({ kind: 'mongo', connection: connection! }));
  });
}

/** PGlite (always) and the PostgreSQL at DATABASE_URL, with the real migrations run first. */
export function describeEachSqlBackend(
  name: string,
  suite: (dataSource: () => DataSource) => void,
): void {
  describe(`${name} [PGlite]`, () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-contract-'));
    let conn: PostgresConnection | undefined;
    beforeAll(async () => {
      conn = await PostgresConnection.open({
        dataDir,
        entities: SQL_ENTITIES,
        migrations: SQL_MIGRATIONS,
      });
    });
    afterAll(async () => {
      await conn?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    suite(() => conn!.dataSource);
  });

  describeWithServices(['DATABASE_URL'], `${name} [PostgreSQL]`, () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-contract-'));
    let conn: PostgresConnection | undefined;
    beforeAll(async () => {
      conn = await PostgresConnection.open({
        databaseUrl: SERVICE_URLS.DATABASE_URL,
        dataDir,
        entities: SQL_ENTITIES,
        migrations: SQL_MIGRATIONS,
      });
    });
    afterAll(async () => {
      await conn?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    suite(() => conn!.dataSource);
  });
}
