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
      apiKeys: 'OPENAI_API_KEYS',
    });
  });

  describe('<SERVICE>_API_KEYS (a weighted pool)', () => {
    const problemsOf = (value: string): string[] => {
      try {
        parseAppEnv({ OPENAI_API_KEYS: value });
      } catch (e) {
        return (e as ConfigValidationError).problems;
      }
      return [];
    };

    it('reads strings and objects; commas, colons and = inside keys are just key text', () => {
      const env = parseAppEnv({
        OPENAI_API_KEYS:
          '["sk-a,b:c=d", {"key":"sk-2","weight":3,"name":"east","base_url":"http://p.example/v1"}]',
      });
      expect(env.OPENAI_API_KEYS).toEqual([
        { apiKey: 'sk-a,b:c=d', weight: 1 },
        { apiKey: 'sk-2', weight: 3, name: 'east', baseUrl: 'http://p.example/v1' },
      ]);
      expect(parseAppEnv({}).OPENAI_API_KEYS).toEqual([]);
    });

    it.each([
      ['not json', 'must be a JSON array'],
      ['[]', 'non-empty JSON array'],
      ['[{"key":"sk-a","weight":0}]', 'entry 0: "weight" must be an integer from 1 to 1000'],
      ['["sk-ok",{"key":"sk-a","weight":-2}]', 'entry 1: "weight"'],
      ['[{"key":"sk-a","weight":1001}]', '"weight" must be an integer'],
      ['[{"key":"sk-a","weight":"3"}]', '"weight" must be an integer'],
      ['[{"key":"sk-a","weight":1.5}]', '"weight" must be an integer'],
      ['[{"weight":2}]', '"key" must be a non-empty string'],
      ['[{"key":"sk-a","base_url":"ftp://x"}]', '"base_url" must be an http(s) URL'],
      ['[{"key":"sk-a","name":"a"},{"key":"sk-b","name":"a"}]', 'entry 1: "name" a is used twice'],
      ['[{"key":"sk-a","colour":"red"}]', 'unknown field(s) colour'],
    ])('refuses %s at boot, naming the key and never echoing a key', (value, message) => {
      const problems = problemsOf(value);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toContain('OPENAI_API_KEYS');
      expect(problems.join('\n')).toContain(message);
      expect(problems.join('\n')).not.toContain('sk-a');
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
