/** The completions module's public surface; other modules import from here only. */
export { CompletionsModule } from './completions.module';
export { AfterAnswer } from './pipeline/after-answer.service';
export { PostAnswerOutboxEntity } from './pipeline/post-answer/postgres/outbox.entity';
export { PostAnswerOutbox1795709000000 } from './pipeline/post-answer/postgres/1795709000000-PostAnswerOutbox';
