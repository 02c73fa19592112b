/** The models module's public surface: the model lookup route, mounted by the embeddings module. */
export { ModelRetrieveController } from './model-retrieve.controller';
