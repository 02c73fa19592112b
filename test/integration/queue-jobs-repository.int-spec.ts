import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { PostgresConnection } from '../../src/infra/postgres/postgres.connection';
import type { JobsRepository } from '../../src/modules/queue/jobs/jobs.repository';
import { MongoJobsRepository } from '../../src/modules/queue/jobs/mongo/mongo-jobs.repository';
import { Jobs1795708600000 } from '../../src/modules/queue/jobs/postgres/1795708600000-Jobs';
import { JobEntity } from '../../src/modules/queue/jobs/postgres/job.entity';
import { PostgresJobsRepository } from '../../src/modules/queue/jobs/postgres/postgres-jobs.repository';
import { jobsRepositoryContract } from '../queue/jobs-repository.contract';
import { describeWithServices, SERVICE_URLS, type ServiceKey } from '../support/services';

interface Opened {
  repo: JobsRepository;
  /** Schema changes TypeORM would still make (entity vs migration); SQL only. */
  pendingSchemaChanges?: () => Promise<string[]>;
  close(): Promise<void>;
}

async function openSql(databaseUrl: string | undefined): Promise<Opened> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-jobs-'));
  const conn = await PostgresConnection.open({
    databaseUrl,
    dataDir,
    entities: [JobEntity],
    migrations: [Jobs1795708600000],
  });
  return {
    repo: new PostgresJobsRepository(conn.dataSource),
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
  return { repo: new MongoJobsRepository(connection), close: () => connection.close() };
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

for (const target of targets) {
  describeWithServices(target.services, `JobsRepository contract: ${target.name}`, () => {
    let opened: Opened;
    beforeAll(async () => {
      opened = await target.open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    jobsRepositoryContract(() => opened.repo);

    if (target.services.length === 0 || target.services.includes('DATABASE_URL')) {
      it('has a migration that matches the entity exactly', async () => {
        expect(await opened.pendingSchemaChanges!()).toEqual([]);
      });
    }
  });
}
