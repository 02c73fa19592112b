import { startTestApp, TestApp } from '../support/test-app';
import { json } from '../support/json';
import { describeWithServices, SERVICE_URLS } from '../support/services';

describeWithServices(
  ['DATABASE_URL', 'MONGODB_URI', 'REDIS_URL', 'RABBITMQ_URL'],
  'gateway on every real service',
  () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ...SERVICE_URLS });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reports each configured dependency up in readiness', async () => {
      const res = await fetch(`${t.url}/health/ready`);
      const body = await json(res);
      expect(body.dependencies).toEqual({
        postgres: expect.objectContaining({ status: 'up' }),
        mongodb: expect.objectContaining({ status: 'up' }),
        redis: expect.objectContaining({ status: 'up' }),
        rabbitmq: expect.objectContaining({ status: 'up' }),
      });
      expect(res.status).toBe(200);
    });
  },
);

describeWithServices(['DATABASE_URL'], 'gateway on PostgreSQL alone', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_URL: SERVICE_URLS.DATABASE_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uses the real server instead of PGlite', async () => {
    const body = await json(await fetch(`${t.url}/health/ready`));
    expect(Object.keys(body.dependencies)).toEqual(['postgres']);
    expect(body.status).toBe('ok');
  });
});

describeWithServices(['DATABASE_URL'], 'readiness with a dependency down', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Port 1 on loopback refuses connections: a Redis that is configured but unreachable.
    t = await startTestApp({
      DATABASE_URL: SERVICE_URLS.DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 naming the dependency, without hanging', async () => {
    const res = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('error');
    expect(body.dependencies.redis).toMatchObject({ status: 'down', required: true });
    expect(body.dependencies.postgres).toMatchObject({ status: 'up' });
  });
});
