import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostgresConnection } from '../../src/infra/postgres/postgres.connection';
import { Jobs1795708600000 } from '../../src/modules/queue/jobs/postgres/1795708600000-Jobs';
import { JobEntity } from '../../src/modules/queue/jobs/postgres/job.entity';
import { PostgresJobsRepository } from '../../src/modules/queue/jobs/postgres/postgres-jobs.repository';
import { inProcessKit } from '../queue/in-process.kit';
import { queueContract } from '../queue/queue.contract';
import { eventually } from '../queue/eventually';
import { MAX_ATTEMPTS, Scenario, TEST_TYPES } from '../queue/queue-harness';
import { deleteTopology, rabbitKit, unbindWork } from '../queue/rabbitmq.kit';
import { describeWithServices, SERVICE_URLS } from '../support/services';

/** Queue/exchange names of this run start with this, so parallel and old runs never meet. */
const RUN = `aimwtest-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
let scenarios = 0;

function sqlStore() {
  let conn: PostgresConnection;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-queue-'));
  beforeAll(async () => {
    conn = await PostgresConnection.open({
      databaseUrl: SERVICE_URLS.DATABASE_URL,
      dataDir,
      entities: [JobEntity],
      migrations: [Jobs1795708600000],
    });
  });
  afterAll(async () => {
    await conn?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return () => new PostgresJobsRepository(conn.dataSource);
}

describeWithServices(['RABBITMQ_URL', 'DATABASE_URL'], 'queue contract: RabbitMQ transport', () => {
  const store = sqlStore();
  queueContract({
    kit: rabbitKit(SERVICE_URLS.RABBITMQ_URL!),
    store,
    scenarioName: () => `${RUN}-${++scenarios}`,
  });
});

// The twin again, now over the real Postgres job store (the unit run uses the in-memory fake).
describeWithServices(['DATABASE_URL'], 'queue contract: in-process transport on PostgreSQL', () => {
  const store = sqlStore();
  queueContract({
    kit: inProcessKit(),
    store,
    scenarioName: () => `${RUN}-ip-${++scenarios}`,
  });
});

describeWithServices(
  ['RABBITMQ_URL', 'DATABASE_URL'],
  'RabbitMQ transport repairs its topology',
  () => {
    const store = sqlStore();
    const url = SERVICE_URLS.RABBITMQ_URL!;
    let s: Scenario;
    afterEach(async () => {
      await s?.close();
    });

    /**
     * One instance that has run a job (so its topology is declared), the topology then damaged
     * by `damage`, and a job enqueued after it, which must run once on that instance.
     */
    async function runsAfter(tag: string, damage: (name: string) => Promise<void>) {
      const name = `${RUN}-${tag}-${++scenarios}`;
      s = new Scenario({ store: store(), kit: rabbitKit(url), scenario: name });
      const a = await s.instance('A');
      const org = `org_${randomUUID()}`;
      const done = async (id: string) =>
        eventually(
          `${id} completed`,
          async () => (await s.store.get(org, id))?.status === 'completed',
        );
      await done((await a.queue.enqueue('echo', org, { before: true })).job.id);
      await damage(name);
      const { job } = await a.queue.enqueue('echo', org, { after: true });
      await done(job.id);
      expect(s.world.effects.get(job.id)).toEqual(['A']);
    }

    it('declares its exchange and queues again when they are deleted under it', async () => {
      // The publish hits a missing exchange; the channel error triggers a reconnect, which
      // declares everything again, and the message goes out on the new channel.
      await runsAfter('repair', (name) => deleteTopology(url, name, TEST_TYPES, MAX_ATTEMPTS));
    });

    it('sends again, after declaring the topology, a message the broker confirmed but routed nowhere', async () => {
      // Exchange and queue are intact, only the binding is gone: the broker confirms the publish
      // and drops the message, with no channel error to trigger a reconnect.
      await runsAfter('unrouted', (name) => unbindWork(url, name, 'echo'));
    });
  },
);
