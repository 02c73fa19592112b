import type { ServiceName } from '../provider.types';

/**
 * How one request parameter is validated. `type` defaults to "number". `default` documents the
 * provider's own default (shown by GET /models); it is only sent when `required` is set
 * (Anthropic's `max_tokens` must always be present).
 */
export interface ParamSpec {
  type?: 'number' | 'integer' | 'boolean' | 'string' | 'enum' | 'stop' | 'object' | 'array';
  min?: number;
  max?: number;
  default?: unknown;
  /** Allowed values for `enum`. */
  values?: string[];
  /** Longest list of stop sequences for `stop`. */
  max_items?: number;
  required?: boolean;
}

export interface ModelFeatures {
  tools: boolean;
  vision: boolean;
  streaming: boolean;
  /** Native JSON mode: OpenAI's `response_format: {type:"json_object"}`. */
  json_mode: boolean;
  /**
   * Native schema-constrained output: OpenAI's `response_format: {type:"json_schema"}`, or
   * Anthropic's `output_config.format`. Models without it get json_schema through a forced tool
   * (see structured-output.ts). Absent means false.
   */
  structured_outputs?: boolean;
}

/**
 * One rate sheet, in USD per million tokens. Only input and output are required; every other
 * rate, when null or absent, falls back to the rate those tokens would otherwise be billed at.
 */
export interface PriceRates {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Cache-hit input tokens (cache reads); null or absent means they cost as much as other input. */
  cached_input_per_mtok?: number | null;
  /**
   * Input tokens written to the prompt cache (Anthropic's 5-minute cache writes, 1.25x input);
   * null or absent means they cost as much as other input.
   */
  cache_write_per_mtok?: number | null;
  /** Anthropic's 1-hour cache writes (2x input); null or absent means `cache_write_per_mtok`. */
  cache_write_1h_per_mtok?: number | null;
  /** Reasoning tokens, where a service prices them apart; null or absent means the output rate. */
  reasoning_per_mtok?: number | null;
}

/**
 * A model's prices. `long_context` is the tier some providers bill a whole request at once its
 * prompt (every input token, cache reads and writes included) exceeds `above_input_tokens`:
 * Gemini 2.5 Pro above 200k, Claude Sonnet 4.5's 1M window above 200k. The tier is a complete
 * rate sheet: its absent optional rates fall back within the tier, not to the base rates.
 */
export interface ModelPricing extends PriceRates {
  long_context?: LongContextTier | null;
}

export interface LongContextTier extends PriceRates {
  above_input_tokens: number;
}

export interface ModelEntry {
  /** What the model serves: chat completions (the default) or `/v1/embeddings`. */
  kind?: 'chat' | 'embedding';
  /** Embedding models: the length of their vectors. */
  dimensions?: number;
  /** Embedding models: whether `dimensions` may ask for shorter vectors (text-embedding-3). */
  shortenable?: boolean;
  context_window: number;
  max_output_tokens: number;
  features: ModelFeatures;
  params: Record<string, ParamSpec>;
  /**
   * Parameters the model takes alone but not together (Anthropic's 4.5+ models: `temperature` or
   * `top_p`). In each group the first one sent wins; the others are dropped (a 400 in strict mode).
   */
  exclusive_params?: string[][];
  pricing?: ModelPricing | null;
  /** End-of-life date announced by the provider, when there is one. */
  deprecated?: string;
}

export interface ServiceCatalog {
  /** When true, model ids not listed here are passed through (and priced as unknown). */
  accepts_unknown_models: boolean;
  /** What an unlisted model may receive, for services that accept unknown models. */
  default_params?: Record<string, ParamSpec>;
  /**
   * Unlisted models also take parameters `default_params` does not name, passed through
   * unchecked: for endpoints whose models the catalog cannot know (a self-hosted server).
   */
  accepts_unknown_params?: boolean;
  default_features?: ModelFeatures;
  notes?: string;
  models: Record<string, ModelEntry>;
}

export interface CatalogFile {
  version: string;
  services: Partial<Record<ServiceName, ServiceCatalog>>;
}

/**
 * Operators' stored overrides, merged over the file: objects merge key by key, anything else
 * replaces, and `null` removes a model (or a parameter).
 */
export type CatalogOverrides = {
  version?: string;
  services?: Partial<Record<ServiceName, DeepPartialNullable<ServiceCatalog>>>;
};

export type DeepPartialNullable<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartialNullable<T[K]> | null }
    : T;

/** A model as the rest of the gateway sees it (GET /models, validation results). */
export interface ResolvedModel {
  service: ServiceName;
  model: string;
  /** False for a pass-through model on a service that accepts unknown ids. */
  known: boolean;
  /** Parameters the entry does not name are passed through unchecked (see `accepts_unknown_params`). */
  passThroughParams?: boolean;
  entry: ModelEntry;
}

export interface CatalogListing {
  version: string;
  models: Array<{ id: string; service: ServiceName; model: string } & ModelEntry>;
}
