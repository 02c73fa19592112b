import { AppException, ErrorCode } from '../../../../common/errors';
import { ModelCatalogService, SERVICES } from '../../../providers';

/**
 * The `model` of a request as the pipeline takes it (`<service>/<model>` or `agent/<id>`). A
 * bare id (`gpt-4o-mini`, `claude-sonnet-4-6`), as the vendors' own SDKs send, is looked up in
 * the catalog: the first service (in service-list order) that lists it serves it. A bare id no
 * service lists is a 404 naming `model`.
 */
export function qualifiedModel(model: string, catalog: ModelCatalogService): string {
  const slash = model.indexOf('/');
  if (slash > 0) return model;
  for (const service of SERVICES) {
    if (catalog.get(service, model)) return `${service}/${model}`;
  }
  throw new AppException(
    ErrorCode.NOT_FOUND,
    `model: ${model} is not a model this gateway serves; GET /v1/models lists them`,
    { param: 'model' },
  );
}
