import { Module } from '@nestjs/common';
import { CompletionsModule } from '../completions';
import { ModelRetrieveController } from '../models';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

/**
 * `POST /v1/embeddings` and `GET /v1/models/{id}`. ProvidersService and the catalog come from
 * the global ProvidersModule; AfterAnswer (usage rows and call logs) from CompletionsModule.
 */
@Module({
  imports: [CompletionsModule],
  controllers: [EmbeddingsController, ModelRetrieveController],
  providers: [EmbeddingsService],
})
export class EmbeddingsModule {}
