import { toOpenAiBody } from '../../../../common/filters/error-envelope';
import type { IngressFormat } from '../ingress-format';
import { ConversationsController } from './conversations.controller';
import { OpenAiResponsesController } from './openai-responses.controller';
import { StoredResponsesController } from './stored-responses.controller';

/**
 * OpenAI Responses API (`/v1/responses`, its stored responses and `/v1/conversations`):
 * OpenAI's error shape, as everywhere under /v1.
 */
export const openAiResponsesIngress: IngressFormat = {
  name: 'openai-responses',
  label: 'OpenAI Responses',
  controller: OpenAiResponsesController,
  stateControllers: [StoredResponsesController, ConversationsController],
  errors: { prefix: '/v1/responses', body: (e, requestId) => toOpenAiBody(e, requestId) },
};
