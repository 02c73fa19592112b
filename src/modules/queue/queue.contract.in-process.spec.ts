import { randomUUID } from 'node:crypto';
import { inProcessKit } from '../../../test/queue/in-process.kit';
import { MemoryJobsRepository } from '../../../test/queue/memory-jobs.repository';
import { queueContract } from '../../../test/queue/queue.contract';

// The in-process twin against the shared transport contract (RabbitMQ runs the same suite in
// test/integration/queue-rabbitmq.int-spec.ts). The job store is the unit tests' fake here.
describe('queue contract: in-process transport', () => {
  const store = new MemoryJobsRepository();
  queueContract({
    kit: inProcessKit(),
    store: () => store,
    scenarioName: () => `t${randomUUID().slice(0, 8)}`,
  });
});
