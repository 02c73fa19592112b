import type { IngressFormat } from '../ingress-format';
import { AnthropicMessagesController } from './anthropic-messages.controller';
import { toAnthropicErrorBody } from './anthropic-messages.response';

/** Anthropic Messages (`/v1/messages`): Anthropic's error shape on its routes. */
export const anthropicMessagesIngress: IngressFormat = {
  name: 'anthropic-messages',
  label: 'Anthropic Messages',
  controller: AnthropicMessagesController,
  errors: { prefix: '/v1/messages', body: (e, requestId) => toAnthropicErrorBody(e, requestId) },
};
