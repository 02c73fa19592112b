import type { AgentFields } from './agent.types';

export const duplicateAgentMessage = (f: Partial<AgentFields>): string =>
  f.name === undefined
    ? 'An agent with these values already exists in this org'
    : `An agent named "${f.name}" already exists in this org`;
