import { Module } from '@nestjs/common';
import { AgentCompletionController } from './agent-completion.controller';
import { OpenAiCompletionController } from './openai-completion.controller';

@Module({ controllers: [AgentCompletionController, OpenAiCompletionController] })
export class CompletionsModule {}
