import { Module } from '@nestjs/common';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { ToolsModule } from '../tools';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { PostgresAgentsRepository } from './postgres/postgres-agents.repository';

/** Agent ("bridge") configurations. Exports `AgentsService` (`get(orgId, id)` for the pipeline). */
@Module({
  imports: [ToolsModule],
  controllers: [AgentsController],
  providers: [
    provideRepository(
      AgentsRepository,
      () => import('./mongo/mongo-agents.repository').then((m) => m.MongoAgentsRepository),
      PostgresAgentsRepository,
    ),
    AgentsService,
  ],
  exports: [AgentsService],
})
export class AgentsModule {}
