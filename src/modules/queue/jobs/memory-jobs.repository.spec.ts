import { jobsRepositoryContract } from '../../../../test/queue/jobs-repository.contract';
import { MemoryJobsRepository } from '../../../../test/queue/memory-jobs.repository';

// The unit tests' fake must behave like the real adapters: same contract.
describe('MemoryJobsRepository (unit-test fake) contract', () => {
  const repo = new MemoryJobsRepository();
  jobsRepositoryContract(() => repo);
});
