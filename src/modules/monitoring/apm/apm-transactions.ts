import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorReporter, type ApmTransaction } from './error-reporter';

const TRANSACTION = Symbol('apmTransaction');

type WithTransaction = FastifyRequest & { [TRANSACTION]?: ApmTransaction };

/**
 * One APM transaction per HTTP request, named by method and route pattern (never the raw URL:
 * ids would make every request its own transaction). Fastify hooks, so 404s and requests
 * refused before a controller are timed too. Nothing is registered when no APM is configured.
 */
@Injectable()
export class ApmTransactions implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly reporter: ErrorReporter,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    if (this.reporter.name === 'none') return;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('onRequest', (req, _reply, done) => {
      const name = `${req.method} ${req.routeOptions.url ?? 'unmatched'}`;
      const tx = this.reporter.startTransaction(name, 'request');
      if (tx) (req as WithTransaction)[TRANSACTION] = tx;
      done();
    });
    fastify.addHook('onResponse', (req, reply, done) => {
      const tx = (req as WithTransaction)[TRANSACTION];
      const status = reply.statusCode;
      tx?.end(`HTTP ${Math.floor(status / 100)}xx`, status >= 500 ? 'failure' : 'success');
      done();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reporter.close();
  }
}
