import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createApp, finishBoot } from './bootstrap/create-app';
import { acquireDataDirLock, DataDirLockedError } from './bootstrap/data-dir-lock';
import { bootSummary } from './bootstrap/boot-summary';
import { isEmbeddedDatabase, prepareEnvironment } from './bootstrap/environment';
import { JWT_SECRET_FILE_NAME } from './bootstrap/local-jwt-secret';
import { ConfigValidationError } from './config';
import { LifecycleState } from './modules/monitoring';

async function main(): Promise<void> {
  let prepared;
  try {
    prepared = prepareEnvironment();
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      // One line per problem, nothing else: the operator fixes them all in one go.
      refuse(
        `Invalid configuration, the gateway did not start:\n${e.problems.map((p) => `  ${p}\n`).join('')}`,
      );
    }
    throw e;
  }
  const { env } = prepared;

  if (isEmbeddedDatabase(env)) {
    try {
      const release = acquireDataDirLock(path.resolve(env.DATA_DIR));
      process.on('exit', release);
    } catch (e) {
      if (e instanceof DataDirLockedError) refuse(`The gateway did not start: ${e.message}\n`);
      throw e;
    }
  }

  const app = await createApp(env);
  const logger = new Logger('Bootstrap');
  if (prepared.createdJwtSecret) {
    logger.warn(
      `No JWT key configured: generated a local HS256 secret in DATA_DIR/${JWT_SECRET_FILE_NAME}; ` +
        '"npm run token" mints an admin token with it. Set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URI in production.',
    );
  }
  await app.listen({ port: env.PORT, host: env.HOST });
  finishBoot(app);
  logger.log(bootSummary(env, listeningUrl(app, env.HOST)));

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.log(`${signal} received: draining in-flight requests`);
    app.get(LifecycleState).draining = true;
    // A request that never ends must not keep the process alive forever.
    const force = setTimeout(() => {
      logger.error(`Shutdown took longer than ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    // Closing the app runs every module's shutdown hook, which stops the children it started
    // (the embedded database); they also stop on their own when this process is gone.
    app
      .close()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        logger.error(`Error during shutdown: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Prints why the gateway did not start, as given, and exits non-zero. */
function refuse(text: string): never {
  process.stderr.write(text);
  process.exit(1);
}

/** The address to call: the port actually bound (PORT=0 picks one), a wildcard host as localhost. */
function listeningUrl(app: NestFastifyApplication, host: string): string {
  const address = app.getHttpServer().address() as AddressInfo | null;
  const shown = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host;
  const bracketed = shown.includes(':') ? `[${shown}]` : shown;
  return `http://${bracketed}:${address?.port ?? ''}`;
}

main().catch((e: unknown) => {
  // One line; the stack only when asked for (LOG_LEVEL=debug or trace): a startup failure is
  // almost always configuration or environment, and the message names it.
  // Raw, not validated: the failure may be the configuration itself.
  const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  const text = e instanceof Error ? (verbose ? (e.stack ?? e.message) : e.message) : String(e);
  process.stderr.write(`The gateway failed to start: ${text}\n`);
  process.exit(1);
});
