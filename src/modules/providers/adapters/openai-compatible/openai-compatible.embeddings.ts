import { malformedError } from '../../errors/provider-error';
import type { EmbeddingRequest, EmbeddingResult, ServiceName } from '../../provider.types';
import { count, record } from '../usage';

/** The body of an OpenAI `/embeddings` request, before a service's adjustments. */
export interface EmbeddingWireBody {
  model: string;
  input: EmbeddingRequest['input'];
  /** Always floats upstream: the gateway encodes base64 itself when its caller asks for it. */
  encoding_format: 'float';
  dimensions?: number;
  user?: string;
  [field: string]: unknown;
}

export function buildEmbeddingBody(req: EmbeddingRequest): EmbeddingWireBody {
  const body: EmbeddingWireBody = { model: req.model, input: req.input, encoding_format: 'float' };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  return body;
}

const isVector = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * `{data: [{index, embedding}], usage}` -> vectors in input order. Exactly one vector per input
 * is required: a short or jumbled answer would silently pair texts with the wrong vectors.
 */
export function parseEmbeddings(
  raw: unknown,
  service: ServiceName,
  model: string,
  inputs: number,
): EmbeddingResult {
  const data = record(raw).data;
  if (!Array.isArray(data) || data.length !== inputs)
    throw malformedError(service, `expected ${inputs} embeddings`);
  const vectors: number[][] = new Array<number[]>(inputs);
  data.forEach((item, position) => {
    const it = record(item);
    const index = typeof it.index === 'number' ? it.index : position;
    if (!Number.isInteger(index) || index < 0 || index >= inputs || vectors[index])
      throw malformedError(service, 'embedding indexes do not match the inputs');
    if (!isVector(it.embedding)) throw malformedError(service, 'an embedding is not a vector');
    vectors[index] = it.embedding;
  });
  const u = record(record(raw).usage);
  const input = count(u.prompt_tokens);
  return {
    service,
    model,
    vectors,
    usage: {
      input_tokens: input,
      output_tokens: 0,
      total_tokens: Math.max(count(u.total_tokens), input),
      cached_tokens: 0,
      reasoning_tokens: 0,
      cost_usd: null,
    },
    attempts: 1,
  };
}

/** How many vectors a request asks for: one per string or per token array. */
export function inputCount(input: EmbeddingRequest['input']): number {
  if (typeof input === 'string') return 1;
  if (input.length > 0 && typeof input[0] === 'number') return 1;
  return input.length;
}
