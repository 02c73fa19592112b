import { Logger, PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ModuleMetadata } from '@nestjs/common';
import { AppModule } from '../app.module';
import { requestIdFor, REQUEST_ID_HEADER } from '../common/http/request-id';
import type { AppEnv } from '../app.env';
import { LifecycleState, registerHttpMetrics } from '../modules/monitoring';
import { rejectWhileDraining } from './draining';
import { setupSwagger } from './swagger';
import { BootLogger } from './boot-logger';
import { rejectNonJsonBodies } from '../common/http/json-only.hook';
import { registerAccessLog } from '../common/logging/access-log';
import { GATEWAY_HELMET_OPTIONS, securityHeadersFor } from '../common/http/security-headers';
import { useGuardedJsonParser } from '../common/http/json-body.parser';
import { clientErrorHandler, frameworkErrorHandler } from '../common/http/transport-errors';

export interface CreateAppOptions {
  /** Lets tests swap providers (e.g. APP_* targets) before the app is built. */
  configure?: (builder: ModuleMetadata) => void;
  bufferLogs?: boolean;
}

const bootLoggers = new WeakMap<NestFastifyApplication, BootLogger>();

/**
 * Boot is over (the app listens): informational log lines are info again. Nest writes the
 * lines it buffered during boot when it starts listening, so this comes after `listen`.
 */
export function finishBoot(app: NestFastifyApplication): void {
  bootLoggers.get(app)?.ready();
}

/**
 * Builds the whole gateway (not listening yet): Fastify with the body limit and request ids,
 * security headers, CORS, HTTP metrics, Swagger. Shared by main.ts and the e2e tests so they
 * exercise the same wiring. Everything is configured from `env`, the validated environment
 * (main.ts reads the process environment once, tests pass their own).
 */
export async function createApp(
  env: AppEnv,
  opts: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const securityHeaders = securityHeadersFor(GATEWAY_HELMET_OPTIONS);
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: true,
    // Let in-flight requests finish on close while idle keep-alive sockets are dropped at once.
    forceCloseConnections: 'idle',
    // Requests arriving while closing get our envelope with Retry-After (rejectWhileDraining).
    return503OnClosing: false,
    ...receiveTimeouts(env.REQUEST_TIMEOUT_MS),
    clientErrorHandler: clientErrorHandler(securityHeaders),
    frameworkErrors: frameworkErrorHandler(securityHeaders),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    bufferLogs: opts.bufferLogs ?? true,
    // Throw instead of exiting the process, so callers (and tests) see the real error.
    abortOnError: false,
    // No console logger of Nest's own: boot lines wait in the buffer for ours (useLogger below),
    // and a failed boot prints only main.ts's one-line reason, not Nest's stack and the
    // buffered boot lines in another format.
    logger: false,
  });
  const logger = new BootLogger(app.get(Logger));
  bootLoggers.set(app, logger);
  app.useLogger(logger);

  useGuardedJsonParser(app, env.BODY_LIMIT_BYTES);

  const fastify = app.getHttpAdapter().getInstance();
  const lifecycle = app.get(LifecycleState);
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.headers(securityHeaders);
    void reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
  rejectWhileDraining(fastify, () => lifecycle.draining);
  fastify.addHook('onRequest', rejectNonJsonBodies);
  registerHttpMetrics(fastify);
  registerAccessLog(fastify, () => PinoLogger.root);

  app.enableCors({
    origin: env.CORS_ORIGINS.includes('*')
      ? true
      : env.CORS_ORIGINS.length > 0
        ? env.CORS_ORIGINS
        : false,
    exposedHeaders: [
      REQUEST_ID_HEADER,
      'retry-after',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
    ],
  });
  setupSwagger(app);
  return app;
}

/**
 * Slow-request protection. `requestTimeout` bounds the time to receive a whole request, so a
 * body dribbled a byte at a time, or stalled, ends in a 408 and a closed connection instead of
 * holding a socket (and its parser state) for ever; headers get less. Node checks the timers
 * every `connectionsCheckingInterval`, 30 s by default, which would let a 30 s timeout run to
 * a minute. The time to answer is not limited here: completions can legitimately take long.
 */
function receiveTimeouts(requestTimeoutMs: number) {
  return {
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: Math.min(requestTimeoutMs, 10_000),
      connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
    },
  };
}
