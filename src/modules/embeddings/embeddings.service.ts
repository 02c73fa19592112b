import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal';
import { AppException, ErrorCode } from '../../common/errors';
import { AfterAnswer } from '../completions';
import {
  ModelCatalogService,
  type ModelRef,
  parseModelRef,
  ProvidersService,
  type Usage,
} from '../providers';
import type { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { embeddingInputProblem, toBase64 } from './embedding-input';

const NO_USAGE: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  total_tokens: 0,
  cached_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: null,
};

/**
 * `POST /v1/embeddings`: checks the input and the model against the catalog, makes the call
 * through the providers module (retries, breaker, pricing) and records it as completions are
 * recorded (usage row + call log, via AfterAnswer).
 */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly providers: ProvidersService,
    private readonly catalog: ModelCatalogService,
    private readonly afterAnswer: AfterAnswer,
  ) {}

  async create(
    body: EmbeddingsRequestDto,
    principal: Principal,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<EmbeddingsResponseDto> {
    const problem = embeddingInputProblem(body.input);
    if (problem) throw new AppException(ErrorCode.VALIDATION_FAILED, problem, { param: 'input' });
    const ref = parseModelRef(body.model);
    this.checkModel(ref, body.dimensions);
    const call = { principal, requestId, service: ref.service, model: ref.model };
    const request = {
      endpoint: 'embeddings',
      inputs: typeof body.input === 'string' ? 1 : body.input.length,
      dimensions: body.dimensions ?? null,
      encoding_format: body.encoding_format ?? 'float',
    };
    const started = performance.now();
    let result;
    try {
      result = await this.providers.embed(
        { ...ref, input: body.input, dimensions: body.dimensions, user: body.user },
        { orgId: principal.orgId, requestId, signal },
      );
    } catch (error) {
      const latencyMs = performance.now() - started;
      void this.afterAnswer.singleCall({ ...call, request, usage: NO_USAGE, latencyMs, error });
      throw error;
    }
    await this.afterAnswer.singleCall({
      ...call,
      request,
      usage: result.usage,
      latencyMs: performance.now() - started,
      attempts: result.attempts,
    });
    const base64 = body.encoding_format === 'base64';
    return {
      object: 'list',
      data: result.vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? toBase64(v) : v,
      })),
      model: `${result.service}/${result.model}`,
      usage: { prompt_tokens: result.usage.input_tokens, total_tokens: result.usage.total_tokens },
    };
  }

  /**
   * 400 for a service without embeddings or a chat model, 404 for a model the service neither
   * lists nor passes through; `dimensions` within what a listed model can give.
   */
  private checkModel({ service, model }: ModelRef, dimensions: number | undefined): void {
    if (!this.providers.offersEmbeddings(service)) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${service} offers no embeddings; use an embedding model of another service (GET /v1/models)`,
        { param: 'model' },
      );
    }
    const entry = this.catalog.get(service, model);
    if (!entry) {
      try {
        this.catalog.resolve(service, model); // a service that passes unknown ids through
      } catch {
        throw new AppException(
          ErrorCode.NOT_FOUND,
          `The model "${service}/${model}" does not exist; GET /v1/models lists the available models`,
          { status: 404, param: 'model' },
        );
      }
      return;
    }
    if (entry.kind !== 'embedding') {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${service}/${model} is a chat model, not an embedding model`,
        { param: 'model' },
      );
    }
    if (dimensions === undefined || entry.dimensions === undefined) return;
    const ok = entry.shortenable ? dimensions <= entry.dimensions : dimensions === entry.dimensions;
    if (!ok) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        entry.shortenable
          ? `dimensions must be between 1 and ${entry.dimensions} for ${service}/${model}`
          : `${service}/${model} only produces ${entry.dimensions} dimensions`,
        { param: 'dimensions' },
      );
    }
  }
}
