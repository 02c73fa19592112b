import { toOpenAiBody } from '../../../../common/filters/error-envelope';
import type { IngressFormat } from '../ingress-format';
import { OpenAiResponsesController } from './openai-responses.controller';

/** OpenAI Responses API (`/v1/responses`): OpenAI's error shape, as everywhere under /v1. */
export const openAiResponsesIngress: IngressFormat = {
  name: 'openai-responses',
  label: 'OpenAI Responses',
  controller: OpenAiResponsesController,
  errors: { prefix: '/v1/responses', body: (e, requestId) => toOpenAiBody(e, requestId) },
};
