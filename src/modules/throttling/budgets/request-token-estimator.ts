import { Injectable, Logger, Optional } from '@nestjs/common';
import { ModelCatalogService, type ServiceName } from '../../providers';
import { AgentRateLimitLookup, type AgentTarget } from '../agent-rate-limit.lookup';
import { estimateTokens, requestedModel } from './token-estimate';

/**
 * The token estimate of a request, with what the body alone does not say: an agent's prompt,
 * model and max_tokens (through the cached agent lookup) and the catalog's max output of the
 * targeted model. Only used while an org token budget is on.
 */
@Injectable()
export class RequestTokenEstimator {
  private readonly logger = new Logger(RequestTokenEstimator.name);

  constructor(
    private readonly agents: AgentRateLimitLookup,
    @Optional() private readonly catalog?: ModelCatalogService,
  ) {}

  async estimate(body: unknown, orgId: string, agentId: string | undefined): Promise<number> {
    const agent = agentId ? await this.agentTarget(orgId, agentId) : undefined;
    const ref = agent ?? requestedModel(body);
    const catalogMaxOutput = ref
      ? this.catalog?.get(ref.service as ServiceName, ref.model)?.max_output_tokens
      : undefined;
    return estimateTokens(body, {
      promptChars: agent?.promptChars,
      agentMaxTokens: agent?.maxTokens,
      catalogMaxOutput,
    });
  }

  /** A failing lookup must not fail the request: the estimate falls back to defaults. */
  private async agentTarget(orgId: string, agentId: string): Promise<AgentTarget | undefined> {
    try {
      return await this.agents.target(orgId, agentId);
    } catch (e) {
      this.logger.warn(
        `Agent lookup for the token estimate failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return undefined;
    }
  }
}
