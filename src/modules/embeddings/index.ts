/** The embeddings module's public surface; other modules import from here only. */
export { EmbeddingsModule } from './embeddings.module';
