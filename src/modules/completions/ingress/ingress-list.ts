import { registerRouteErrorShape } from '../../../common/filters/error-envelope';
import { agentIngress } from './agent/agent.ingress';
import { anthropicMessagesIngress } from './anthropic-messages/anthropic-messages.ingress';
import type { IngressFormat } from './ingress-format';
import { openAiChatIngress } from './openai-chat/openai-chat.ingress';
import { openAiResponsesIngress } from './openai-responses/openai-responses.ingress';

/**
 * THE ingress list: one line per request format the gateway speaks. The completions module's
 * controllers and each route's error shape derive from it; adding a format is one folder
 * (adapter, DTOs, controller, `<format>.ingress.ts`) and one line here.
 */
export const INGRESS_FORMATS: readonly IngressFormat[] = [
  agentIngress,
  openAiChatIngress,
  anthropicMessagesIngress,
  openAiResponsesIngress,
];

export const INGRESS_CONTROLLERS = INGRESS_FORMATS.flatMap((f) => [
  f.controller,
  ...(f.stateControllers ?? []),
]);

for (const f of INGRESS_FORMATS) {
  if (f.errors) registerRouteErrorShape(f.errors.prefix, f.errors.body);
}
