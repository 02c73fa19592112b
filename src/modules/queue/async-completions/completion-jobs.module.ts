import { Module } from '@nestjs/common';
import { CompletionsModule } from '../../completions/completions.module';
import { CompletionJobHandler } from './completion-job.handler';

/**
 * The consumer side of async completions: registers the `completion` job handler, which needs
 * the completions pipeline. Separate from QueueModule so that the dependency runs one way
 * (this -> CompletionsModule -> global QueueModule) without a cycle.
 */
@Module({
  imports: [CompletionsModule],
  providers: [CompletionJobHandler],
})
export class CompletionJobsModule {}
