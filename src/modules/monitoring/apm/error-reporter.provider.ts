import { Logger, type FactoryProvider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { monitoringConfig } from '../../../config';
import { AtatusErrorReporter, type AtatusAgent } from './atatus.reporter';
import { ErrorReporter, NoopErrorReporter } from './error-reporter';

export const APP_NAME = 'ai-middleware';

/** Loads the Atatus agent module; a function so tests can hand in a fake. */
export type AgentLoader = () => unknown;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadAtatus: AgentLoader = () => require('atatus-nodejs') as unknown;

/**
 * The APM behind the ErrorReporter port: Atatus with ATATUS_LICENSE_KEY, nothing otherwise.
 * The agent package is required lazily, here, so a deployment without the key never loads it
 * (the package is a dependency, but a slimmed image may leave it out). With the key but without the package, the gateway says so once
 * and runs without APM rather than refusing to start.
 */
export function createErrorReporter(
  licenseKey: string | undefined,
  load: AgentLoader = loadAtatus,
  logger: Pick<Logger, 'log' | 'error'> = new Logger('APM'),
): ErrorReporter {
  if (!licenseKey) return new NoopErrorReporter();
  let mod: unknown;
  try {
    mod = load();
  } catch (e) {
    logger.error(
      `ATATUS_LICENSE_KEY is set but the atatus-nodejs package cannot be loaded (${
        e instanceof Error ? e.message : String(e)
      }); install it to enable APM. Running without APM.`,
    );
    return new NoopErrorReporter();
  }
  const agent = agentOf(mod);
  if (!agent) {
    logger.error('atatus-nodejs does not look like the Atatus agent; running without APM.');
    return new NoopErrorReporter();
  }
  try {
    agent.start({ licenseKey, appName: APP_NAME });
  } catch (e) {
    logger.error(
      `The Atatus agent did not start (${e instanceof Error ? e.message : String(e)}); running without APM.`,
    );
    return new NoopErrorReporter();
  }
  logger.log('Atatus APM agent started');
  return new AtatusErrorReporter(agent);
}

/** The agent object, whether the package is loaded as CommonJS or as an ES module default. */
function agentOf(mod: unknown): AtatusAgent | undefined {
  const candidates = [mod, (mod as { default?: unknown } | null)?.default];
  for (const c of candidates) {
    if (typeof c === 'object' && c !== null && typeof (c as AtatusAgent).start === 'function') {
      return c as AtatusAgent;
    }
  }
  return undefined;
}

export const errorReporterProvider: FactoryProvider<ErrorReporter> = {
  provide: ErrorReporter,
  inject: [monitoringConfig.KEY],
  useFactory: (cfg: ConfigType<typeof monitoringConfig>) =>
    createErrorReporter(cfg.atatusLicenseKey),
};
