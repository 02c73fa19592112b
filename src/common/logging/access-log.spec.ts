import fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { registerAccessLog } from './access-log';

interface Line {
  level: number;
  msg: string;
  req: { id: string; method: string; url: string };
  res: { statusCode: number };
  responseTime: number;
}

/** An app with the access log, logging (as the gateway does) through pino into `lines`. */
async function appWithLog(level: string): Promise<{ app: FastifyInstance; lines: Line[] }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const logger = pino(
    {
      level,
      serializers: {
        req: (r: { id: string; method: string; url: string }) => ({
          id: r.id,
          method: r.method,
          url: r.url,
        }),
        res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }),
      },
    },
    sink,
  );
  const app = fastify({ genReqId: () => 'req-1' });
  registerAccessLog(app, () => logger);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/health/live', async () => ({ status: 'ok' }));
  await app.ready();
  return { app, lines };
}

describe('registerAccessLog', () => {
  it('logs one line per request with id, method, URL, status and response time', async () => {
    const { app, lines } = await appWithLog('info');
    await app.inject({ method: 'GET', url: '/ok?x=1' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'req-1', method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0].responseTime).toBe('number');
    await app.close();
  });

  it('logs client errors at warn and server errors at error', async () => {
    const { app, lines } = await appWithLog('info');
    await app.inject({ method: 'GET', url: '/missing' });
    await app.inject({ method: 'GET', url: '/boom' });
    expect(lines.map((l) => [l.level, l.msg, l.res.statusCode])).toEqual([
      [40, 'request completed', 404],
      [50, 'request errored', 500],
    ]);
    await app.close();
  });

  it('skips health probes, and lines below the configured level', async () => {
    const { app, lines } = await appWithLog('warn');
    await app.inject({ method: 'GET', url: '/health/live' });
    await app.inject({ method: 'GET', url: '/ok' });
    await app.inject({ method: 'GET', url: '/missing' });
    expect(lines.map((l) => l.req.url)).toEqual(['/missing']);
    await app.close();
  });
});
