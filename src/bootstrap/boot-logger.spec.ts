import type { LoggerService } from '@nestjs/common';
import { BootLogger } from './boot-logger';

describe('BootLogger', () => {
  it('sends info lines to debug until ready, and never touches warnings', () => {
    const calls: string[] = [];
    const record =
      (level: string) =>
      (msg: unknown, ...rest: unknown[]) =>
        calls.push(`${level}:${String(msg)}:${rest.join(',')}`);
    const inner = {
      log: record('info'),
      debug: record('debug'),
      warn: record('warn'),
      error: record('error'),
    } satisfies LoggerService;
    const logger = new BootLogger(inner);
    logger.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    logger.warn('no key', 'Encryption');
    logger.ready();
    logger.log('SIGTERM received', 'Bootstrap');
    expect(calls).toEqual([
      'debug:Mapped {/v1/models, GET} route:RouterExplorer',
      'warn:no key:Encryption',
      'info:SIGTERM received:Bootstrap',
    ]);
  });
});
