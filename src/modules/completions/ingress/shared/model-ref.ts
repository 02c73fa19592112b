import { AppException, ErrorCode } from '../../../../common/errors';
import { ModelCatalogService, parseModelRef, SERVICES } from '../../../providers';

const PREFIXES = new Set<string>([...SERVICES, 'agent']);

/**
 * The `model` of a request as the pipeline takes it (`<service>/<model>` or `agent/<id>`). Any
 * other id (`gpt-4o-mini`, `claude-sonnet-4-6`, or `meta-llama/llama-3.1-8b-instruct`, whose
 * slash is part of the id), as the vendors' own SDKs send it, is looked up in the catalog: the
 * first service (in service-list order) that lists it serves it. An id no service lists is a
 * 404 naming `model`.
 */
export function qualifiedModel(model: string, catalog: ModelCatalogService): string {
  const slash = model.indexOf('/');
  if (slash > 0 && PREFIXES.has(model.slice(0, slash))) return model;
  const service = catalog.serviceListing(model);
  if (service) return `${service}/${model}`;
  throw new AppException(
    ErrorCode.NOT_FOUND,
    `model: ${model} is not a model this gateway serves; GET /v1/models lists them`,
    { param: 'model' },
  );
}

/**
 * Which optional fields a qualified model takes: those its catalog entry lists (the formats
 * that pass sampling fields through only where they are served, /v1/messages and
 * /v1/responses). An `agent/` model takes none: the agent's configuration decides.
 */
export function catalogParamFilter(
  model: string,
  catalog: ModelCatalogService,
): (name: string) => boolean {
  if (model.startsWith('agent/')) return () => false;
  const { service, model: id } = parseModelRef(model);
  const params = catalog.resolve(service, id).entry.params;
  return (name) => Object.prototype.hasOwnProperty.call(params, name);
}
