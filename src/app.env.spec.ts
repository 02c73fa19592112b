import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { appEnvSchema, parseAppEnv } from './app.env';
import { ConfigValidationError } from './config';
import { SERVICES, serviceEnvKeys } from './modules/providers';

describe('.env.example', () => {
  const text = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');

  it.each(Object.keys(appEnvSchema.shape))('documents %s', (key) => {
    expect(text).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });

  it('lists no key the gateway does not read', () => {
    const listed = [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(listed.filter((k) => !Object.hasOwn(appEnvSchema.shape, k))).toEqual([]);
  });
});

describe('the environment validated at boot (core keys + the providers fragment)', () => {
  it('has both keys of every service in the service list', () => {
    for (const service of SERVICES) {
      const { apiKey, baseUrl } = serviceEnvKeys(service);
      expect(Object.keys(appEnvSchema.shape)).toEqual(expect.arrayContaining([apiKey, baseUrl]));
    }
    expect(serviceEnvKeys('openai')).toEqual({
      apiKey: 'OPENAI_API_KEY',
      baseUrl: 'OPENAI_BASE_URL',
    });
  });

  it('reports core and provider problems together, one line each', () => {
    let problems: string[] = [];
    try {
      parseAppEnv({
        PORT: 'abc',
        GROQ_BASE_URL: 'ftp://groq.example',
        PROVIDER_TIMEOUT_MS: '5',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigValidationError);
      problems = (e as ConfigValidationError).problems;
    }
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'GROQ_BASE_URL',
      'PORT',
      'PROVIDER_TIMEOUT_MS',
    ]);
  });

  it('keeps the rules across core keys', () => {
    expect(() => parseAppEnv({ ERROR_WEBHOOK_URL: 'https://ops.example.com/hook' })).toThrow(
      /ERROR_WEBHOOK_SECRET: is required when ERROR_WEBHOOK_URL is set/,
    );
  });

  it('keeps the providers defaults', () => {
    const env = parseAppEnv({ OPENAI_API_KEY: ' sk-x ' });
    expect(env).toMatchObject({
      OPENAI_API_KEY: 'sk-x',
      PROVIDER_TIMEOUT_MS: 60000,
      PROVIDER_MAX_RETRIES: 2,
      PROVIDER_BREAKER_FAILURE_PERCENT: 50,
    });
    expect(env.OPENAI_BASE_URL).toBeUndefined();
  });
});
