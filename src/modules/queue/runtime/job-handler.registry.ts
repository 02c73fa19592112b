import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { JsonValue } from '../core/job-envelope';
import { isValidJobType } from '../core/job-envelope';
import type { ConsumerSpec } from '../core/job-transport';
import { queueConfig } from '../queue.config';
import type { JobHandler, JobHandlerOptions } from './job-handler';

export interface RegisteredJobType {
  type: string;
  handler: JobHandler<unknown>;
  parse: (payload: JsonValue) => unknown;
  concurrency: number;
  maxAttempts: number;
  leaseMs: number;
  untracked: boolean;
  maxRetryDelayMs?: number;
}

/**
 * Job handlers by type. Modules register theirs in `onModuleInit`; the queue starts consuming
 * in `onApplicationBootstrap`, after every module has, and the set is frozen from then on (the
 * topology is declared from it).
 *
 *   onModuleInit() { this.registry.register('completion', this, { parse: parseCompletionPayload }); }
 */
@Injectable()
export class JobHandlerRegistry {
  private readonly byType = new Map<string, RegisteredJobType>();
  private frozen = false;

  constructor(@Inject(queueConfig.KEY) private readonly cfg: ConfigType<typeof queueConfig>) {}

  register<P>(type: string, handler: JobHandler<P>, options: JobHandlerOptions<P>): void {
    if (this.frozen) throw new Error(`job type ${type} registered after the queue started`);
    if (!isValidJobType(type)) throw new Error(`invalid job type name "${type}"`);
    if (this.byType.has(type)) throw new Error(`job type ${type} is already registered`);
    this.byType.set(type, {
      type,
      handler: handler,
      parse: options.parse,
      concurrency: options.concurrency ?? this.cfg.concurrency,
      maxAttempts: options.maxAttempts ?? this.cfg.maxAttempts,
      leaseMs: options.leaseMs ?? this.cfg.leaseMs,
      untracked: options.untracked ?? false,
      maxRetryDelayMs: options.maxRetryDelayMs,
    });
  }

  get(type: string): RegisteredJobType | undefined {
    return this.byType.get(type);
  }

  all(): RegisteredJobType[] {
    return [...this.byType.values()];
  }

  /** Freezes the set and returns what the transport needs to declare and consume. */
  freeze(): ConsumerSpec[] {
    this.frozen = true;
    return this.all().map((r) => ({
      type: r.type,
      concurrency: r.concurrency,
      maxAttempts: r.maxAttempts,
    }));
  }
}
