import { Injectable, Logger, Optional } from '@nestjs/common';
import { isRecord } from '../../common/validation/is-record';
import { ModelCatalogService, SERVICES, emptyUsage, type ServiceName } from '../providers';
import { AgentRateLimitLookup, estimateTokenParts } from '../throttling';

/** The model a request will call and what it is estimated to cost, judged before the call. */
export interface RequestTarget {
  /** `<service>/<model>`, or undefined when the body does not say (validation rejects it later). */
  model?: string;
  /** USD, from the estimated input tokens and the output cap priced by the catalog (0 when unpriced). */
  estimateUsd: number;
}

const AGENT_PREFIX = 'agent/';

/**
 * Reads the target model and the cost estimate from a request body that is not validated yet:
 * an agent's model, prompt and max_tokens come from the cached agent lookup; `<service>/<model>`
 * as sent; a bare id as the ingress resolves it (the first service whose catalog lists it). The
 * token estimate is the token budget's (characters / 4 plus the output cap), priced with the
 * catalog's own price function (ModelCatalogService.price, i.e. costOf).
 */
@Injectable()
export class RequestTargets {
  private readonly logger = new Logger('RequestTargets');

  constructor(
    private readonly agents: AgentRateLimitLookup,
    @Optional() private readonly catalog?: ModelCatalogService,
  ) {}

  async of(body: unknown, orgId: string, agentId: string | undefined): Promise<RequestTarget> {
    const agent = agentId ? await this.agent(orgId, agentId) : undefined;
    const ref = agent ?? this.modelOf(body);
    const entry = ref ? this.catalog?.get(ref.service as ServiceName, ref.model) : undefined;
    const tokens = estimateTokenParts(body, {
      promptChars: agent?.promptChars,
      agentMaxTokens: agent?.maxTokens,
      catalogMaxOutput: entry?.max_output_tokens,
    });
    const price =
      ref && this.catalog
        ? this.catalog.price(ref.service as ServiceName, ref.model, {
            ...emptyUsage(),
            input_tokens: tokens.input,
            output_tokens: tokens.output,
            total_tokens: tokens.input + tokens.output,
          })
        : null;
    return { model: ref && `${ref.service}/${ref.model}`, estimateUsd: price ?? 0 };
  }

  private modelOf(body: unknown): { service: string; model: string } | undefined {
    const model = isRecord(body) ? body.model : undefined;
    if (typeof model !== 'string' || model === '' || model.startsWith(AGENT_PREFIX)) return;
    const slash = model.indexOf('/');
    const service = slash > 0 ? model.slice(0, slash) : '';
    if ((SERVICES as readonly string[]).includes(service)) {
      return { service, model: model.slice(slash + 1) };
    }
    const owner = this.catalog?.serviceListing(model);
    return owner ? { service: owner, model } : undefined;
  }

  /** A failing lookup must not fail the request here: the pipeline reports it properly. */
  private async agent(orgId: string, agentId: string) {
    try {
      return await this.agents.target(orgId, agentId);
    } catch (e) {
      this.logger.warn(`Agent lookup failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }
}

/** Whether `model` (`<service>/<model>`) matches an allowlist of ids, `<service>/*` or `*`. */
export function modelAllowed(allowed: readonly string[], model: string | undefined): boolean {
  if (model === undefined) return false;
  const service = model.slice(0, model.indexOf('/'));
  return allowed.some((a) => a === '*' || a === model || a === `${service}/*`);
}
