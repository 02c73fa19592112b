import { Module } from '@nestjs/common';
import { CryptoModule } from '../../common/crypto';
import { provideRepository } from '../../infra/document-store/provide-repository';
import { PostgresToolsRepository } from './postgres/postgres-tools.repository';
import { ToolsController } from './tools.controller';
import { ToolsRepository } from './tools.repository';
import { ToolsService } from './tools.service';

/**
 * Function (tool) definitions. Exports `ToolsService`: `getMany(orgId, ids)` gives the
 * executor the tools with their headers decrypted.
 */
@Module({
  imports: [CryptoModule],
  controllers: [ToolsController],
  providers: [
    provideRepository(
      ToolsRepository,
      () => import('./mongo/mongo-tools.repository').then((m) => m.MongoToolsRepository),
      PostgresToolsRepository,
    ),
    ToolsService,
  ],
  exports: [ToolsService],
})
export class ToolsModule {}
