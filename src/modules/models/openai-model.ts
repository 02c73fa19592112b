import type { CatalogListing } from '../providers';

/** A model as OpenAI's `/v1/models` routes describe it. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Unix seconds of the catalog version date: OpenAI's `created` for every listed model. */
export function createdOf(version: string): number {
  const t = Date.parse(version);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** One catalog model in OpenAI's shape (ids are `<service>/<model>`, owned by the service). */
export function toOpenAiModel(
  m: Pick<CatalogListing['models'][number], 'id' | 'service'>,
  created: number,
): OpenAiModel {
  return { id: m.id, object: 'model', created, owned_by: m.service };
}
