import type { ErrorReport } from '../errors/error-report';
import type { AtatusAgent, AtatusTransaction } from './atatus.reporter';
import { createErrorReporter } from './error-reporter.provider';

const quiet = { log: jest.fn(), error: jest.fn() };

const report: ErrorReport = {
  code: 'INTERNAL',
  status: 500,
  message: 'Internal server error',
  request_id: 'req-1',
  method: 'GET',
  route: '/x',
  org_id: 'o',
  user_id: 'u',
  service: null,
  model: null,
  agent_id: null,
  time: new Date(),
};

describe('createErrorReporter', () => {
  it('loads nothing without a license key', () => {
    const load = jest.fn();
    expect(createErrorReporter(undefined, load, quiet).name).toBe('none');
    expect(load).not.toHaveBeenCalled();
  });

  it('runs without APM (and says why) when the agent package is missing', () => {
    const logger = { log: jest.fn(), error: jest.fn() };
    const reporter = createErrorReporter(
      'key',
      () => {
        throw new Error("Cannot find module 'atatus-nodejs'");
      },
      logger,
    );
    expect(reporter.name).toBe('none');
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('atatus-nodejs'));
  });

  it('starts Atatus and sends errors with context, secrets blanked', () => {
    const captured: Array<{ error: Error; custom?: Record<string, unknown> }> = [];
    const agent: AtatusAgent = {
      start: jest.fn(),
      captureError: (error, opts) => captured.push({ error, custom: opts?.custom }),
    };
    const reporter = createErrorReporter('license-123', () => ({ default: agent }), quiet);
    expect(reporter.name).toBe('atatus');
    expect(agent.start).toHaveBeenCalledWith({
      licenseKey: 'license-123',
      appName: 'ai-middleware',
    });

    reporter.captureError(new Error('connect postgres://u:pw@db/x refused'), report);
    expect(captured[0].error.message).toBe('connect postgres://[redacted]@db/x refused');
    expect(captured[0].error.stack).not.toContain(':pw@');
    expect(captured[0].custom).toMatchObject({
      code: 'INTERNAL',
      request_id: 'req-1',
      route: '/x',
    });
  });

  it('times transactions through the agent', () => {
    const tx: AtatusTransaction & { outcome?: string } = {
      end: jest.fn(),
      setOutcome(o) {
        tx.outcome = o;
      },
    };
    const agent: AtatusAgent = { start: jest.fn(), startTransaction: jest.fn(() => tx) };
    const reporter = createErrorReporter('k', () => agent, quiet);
    reporter.startTransaction('GET /x', 'request')?.end('HTTP 5xx', 'failure');
    expect(agent.startTransaction).toHaveBeenCalledWith('GET /x', 'request');
    expect(tx).toMatchObject({ result: 'HTTP 5xx', outcome: 'failure' });
    expect(tx.end).toHaveBeenCalledWith('HTTP 5xx');
  });
});
