import { toOpenAiBody } from '../../../../common/filters/error-envelope';
import type { IngressFormat } from '../ingress-format';
import { OpenAiCompletionController } from './openai-chat.controller';

/** OpenAI chat completions; every /v1 route answers errors in OpenAI's shape. */
export const openAiChatIngress: IngressFormat = {
  name: 'openai-chat',
  label: 'OpenAI chat completions',
  controller: OpenAiCompletionController,
  errors: { prefix: '/v1', body: (e, requestId) => toOpenAiBody(e, requestId) },
};
