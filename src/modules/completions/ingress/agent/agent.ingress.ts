import type { IngressFormat } from '../ingress-format';
import { AgentCompletionController } from './agent.controller';

/** The gateway's own agent API; errors use the gateway envelope (the default). */
export const agentIngress: IngressFormat = {
  name: 'agent',
  label: 'Agent API',
  controller: AgentCompletionController,
};
