import { Injectable, Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppException, ErrorCode } from '../../../common/errors';
import {
  SERVICES,
  type ChatRequest,
  type ModelParams,
  type ServiceName,
  type Usage,
} from '../provider.types';
import { assertCatalog, catalogProblems, deepMerge } from './catalog-shape';
import { planStructuredOutput } from './structured-output';
import type {
  CatalogFile,
  CatalogListing,
  CatalogOverrides,
  ModelEntry,
  ResolvedModel,
} from './catalog.types';
import { costOf } from './pricing';
import { applyParamPolicy, type ParamPolicyResult } from './param-policy';
import { adaptParams, validateRequest, withRequiredDefaults } from './request-validator';

/**
 * Next to this file in src/ and in dist/ (nest-cli copies the JSON files under `catalog/`):
 * `version.json` and one file per service of the service list, `services/<service>.json`.
 */
export const CATALOG_DIR = __dirname;

/**
 * The versioned catalog as one object (`{version, services}`), read from its per-service files.
 * A service of the service list without its file stops the boot: it could not be validated.
 */
export function loadCatalogFile(dir = CATALOG_DIR): unknown {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const { version } = read('version.json') as { version?: unknown };
  const services: Record<string, unknown> = {};
  for (const service of SERVICES) {
    const file = join('services', `${service}.json`);
    if (!existsSync(join(dir, file)))
      throw new Error(`Invalid model catalog: no catalog data for ${service} (${file})`);
    services[service] = read(file);
  }
  return { version, services };
}

const UNKNOWN_FEATURES = { tools: true, vision: true, streaming: true, json_mode: true };

/**
 * The model catalog: which models each service offers, the parameters each accepts (and their
 * ranges), their limits, features and prices. The versioned files (one per service) are the
 * base; operators' stored overrides are merged over it with `setOverrides`.
 */
@Injectable()
export class ModelCatalogService {
  private readonly logger = new Logger(ModelCatalogService.name);
  private readonly base: CatalogFile;
  private current: CatalogFile;

  constructor() {
    const raw = loadCatalogFile();
    assertCatalog(raw);
    this.base = raw;
    this.current = raw;
  }

  get version(): string {
    return this.current.version;
  }

  /**
   * Replaces the operators' overrides (a full set, not a delta). An invalid result is refused
   * with one line per problem and the previous catalog stays in force.
   */
  setOverrides(overrides: CatalogOverrides | null | undefined): void {
    const merged = overrides ? deepMerge(this.base, overrides) : this.base;
    const problems = catalogProblems(merged);
    if (problems.length) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `Invalid model catalog override: ${problems.join('; ')}`,
        {
          status: 400,
          details: { problems },
        },
      );
    }
    this.current = merged as CatalogFile;
    this.logger.log(
      `model catalog ${this.current.version} in force (${overrides ? 'with' : 'without'} overrides)`,
    );
  }

  /** The listed entry, or undefined when the model is not in the catalog. */
  get(service: ServiceName, model: string): ModelEntry | undefined {
    const models = this.current.services[service]?.models;
    return models && Object.prototype.hasOwnProperty.call(models, model)
      ? models[model]
      : undefined;
  }

  /**
   * The service that serves a bare model id (`gpt-4o-mini`, `claude-sonnet-4-6`, as the vendors'
   * SDKs send it): the first, in service-list order, whose catalog lists it. Undefined when none does.
   */
  serviceListing(model: string): ServiceName | undefined {
    return SERVICES.find((service) => this.get(service, model) !== undefined);
  }

  list(): CatalogListing {
    const models: CatalogListing['models'] = [];
    for (const service of SERVICES) {
      for (const [model, entry] of Object.entries(this.current.services[service]?.models ?? {})) {
        models.push({ id: `${service}/${model}`, service, model, ...entry });
      }
    }
    return { version: this.current.version, models };
  }

  /**
   * The model a request targets, or a 400 naming `model` when the service does not list it and
   * does not accept unknown ids. Unknown-but-accepted models get the service's default params.
   */
  resolve(service: ServiceName, model: string): ResolvedModel {
    const svc = this.current.services[service];
    if (!svc) throw this.badModel(`unknown service "${service}"`);
    const entry = this.get(service, model);
    if (entry) return { service, model, known: true, entry };
    if (!svc.accepts_unknown_models) {
      throw this.badModel(
        `unknown model "${model}" for ${service}; GET /api/v1/models lists the available models`,
      );
    }
    return {
      service,
      model,
      known: false,
      passThroughParams: svc.accepts_unknown_params === true,
      entry: {
        context_window: 0,
        max_output_tokens: 0,
        features: svc.default_features ?? UNKNOWN_FEATURES,
        params: svc.default_params ?? {},
        pricing: null,
      },
    };
  }

  /**
   * The parameter policy for a client's request to this model: what the model takes is kept,
   * the rest dropped and listed, or refused (400 naming it) when `strict`. See param-policy.ts.
   */
  applyParamPolicy(
    service: ServiceName,
    model: string,
    params: ModelParams,
    strict: boolean,
  ): ParamPolicyResult {
    return applyParamPolicy(params, this.resolve(service, model), strict);
  }

  /** Throws VALIDATION_FAILED (400, `param` set) when the model cannot take this request. */
  validate(req: ChatRequest, opts: { stream?: boolean } = {}): ResolvedModel {
    const resolved = this.resolve(req.service, req.model);
    if (resolved.entry.kind === 'embedding')
      throw this.badModel(
        `${req.service}/${req.model} is an embedding model; use POST /v1/embeddings`,
      );
    validateRequest(req, resolved, opts);
    return resolved;
  }

  /**
   * The validated request as it will be sent: nulls dropped, required defaults filled,
   * `response_format` in the form the model takes (native, forced tool or JSON mode).
   */
  prepare(req: ChatRequest, resolved: ResolvedModel): ChatRequest {
    const shaped = planStructuredOutput(req, resolved.entry.features);
    return { ...shaped, params: withRequiredDefaults(req.params ?? {}, resolved) };
  }

  /**
   * The request retargeted at a fallback model, with unsupported parameters dropped and values
   * clamped; undefined when even that model cannot serve it (tools, images, ...).
   */
  adaptForFallback(
    req: ChatRequest,
    service: ServiceName,
    model: string,
    opts: { stream?: boolean } = {},
  ) {
    try {
      const resolved = this.resolve(service, model);
      const target: ChatRequest = {
        ...req,
        service,
        model,
        params: adaptParams(req.params ?? {}, resolved),
      };
      validateRequest(target, resolved, opts);
      return this.prepare(target, resolved);
    } catch (err) {
      if (err instanceof AppException) {
        this.logger.warn(`fallback ${service}/${model} skipped: ${err.message}`);
        return undefined;
      }
      throw err;
    }
  }

  /** Cost in USD, or null when the model is not in the catalog or has no price. */
  price(service: ServiceName, model: string, usage: Usage): number | null {
    const pricing = this.get(service, model)?.pricing;
    return pricing ? costOf(pricing, usage) : null;
  }

  private badModel(message: string): AppException {
    return new AppException(ErrorCode.VALIDATION_FAILED, message, { status: 400, param: 'model' });
  }
}
