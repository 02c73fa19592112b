import type { FastifyRequest } from 'fastify';

/** What the completion pipeline knows about a failed completion. */
export interface PipelineErrorContext {
  request_id: string;
  org_id: string;
  user_id: string;
  service: string;
  model: string;
  agent_id?: string;
}

/**
 * Where errors go to be logged, counted and reported (the monitoring module implements it).
 * A port here, in common, so the global filter and the pipeline depend on nothing but it. The
 * same error may be seen by both (a completion that failed and became the HTTP response): the
 * implementation must report it once.
 */
export abstract class ErrorObserver {
  /** An error the global filter turned into a response. */
  abstract onHttpError(error: unknown, req: FastifyRequest): void;
  /** A completion that failed, whether or not it becomes an HTTP error (streams, async jobs). */
  abstract onPipelineError(error: unknown, ctx: PipelineErrorContext): void;
}
