import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap/create-app';
import { parseAppEnv } from './app.env';
import { ConfigValidationError } from './config';
import { LifecycleState } from './modules/monitoring/lifecycle.state';

async function main(): Promise<void> {
  let env;
  try {
    env = parseAppEnv(process.env);
  } catch (e) {
    if (e instanceof ConfigValidationError) {
      // One line per problem, nothing else: the operator fixes them all in one go.
      process.stderr.write(
        `Invalid configuration, the gateway did not start:\n${e.problems.map((p) => `  ${p}\n`).join('')}`,
      );
      process.exit(1);
    }
    throw e;
  }

  const app = await createApp(env);
  const logger = new Logger('Bootstrap');
  await app.listen({ port: env.PORT, host: env.HOST });
  logger.log(`AI Middleware listening on http://${env.HOST}:${env.PORT} (docs at /docs)`);

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

main().catch((e: unknown) => {
  process.stderr.write(
    `The gateway failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
