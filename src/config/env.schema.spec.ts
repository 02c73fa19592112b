import { ConfigValidationError, parseEnv } from './env.schema';

describe('parseEnv', () => {
  it('applies every default when nothing is configured', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      RATE_LIMIT_USER_PER_MINUTE: 60,
      EGRESS_ALLOW_PRIVATE: false,
      EGRESS_ALLOWLIST: [],
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('parses typed values', () => {
    const env = parseEnv({
      PORT: '8080',
      EGRESS_ALLOW_PRIVATE: 'true',
      EGRESS_ALLOWLIST: 'a.internal, b.internal',
      CORS_ORIGINS: '*',
    });
    expect(env.PORT).toBe(8080);
    expect(env.EGRESS_ALLOW_PRIVATE).toBe(true);
    expect(env.EGRESS_ALLOWLIST).toEqual(['a.internal', 'b.internal']);
    expect(env.CORS_ORIGINS).toEqual(['*']);
  });

  it('accepts allowlist entries with ports and stops on an entry that can never match', () => {
    expect(
      parseEnv({ EGRESS_ALLOWLIST: 'api.internal:8443, *.corp.example, 10.0.0.0/8, [fd00::1]:443' })
        .EGRESS_ALLOWLIST,
    ).toEqual(['api.internal:8443', '*.corp.example', '10.0.0.0/8', '[fd00::1]:443']);
    let problems: string[] = [];
    try {
      parseEnv({ EGRESS_ALLOWLIST: 'ok.internal, https://tools.internal, db.internal:99999' });
    } catch (e) {
      problems = (e as ConfigValidationError).problems;
    }
    expect(problems).toEqual([
      'EGRESS_ALLOWLIST: entry "https://tools.internal" must be a host, not a URL (drop the scheme), so it could never match',
      'EGRESS_ALLOWLIST: entry "db.internal:99999" has a port outside 1-65535, so it could never match',
    ]);
  });

  it('reports one line per problem, each naming its key', () => {
    let problems: string[] = [];
    try {
      parseEnv({
        PORT: 'abc',
        REDIS_URL: 'http://nope',
        JWT_SECRET: 'short',
        LOG_LEVEL: 'loud',
        ENCRYPTION_KEY: 'xyz',
      });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigValidationError);
      problems = (e as ConfigValidationError).problems;
    }
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ENCRYPTION_KEY',
      'JWT_SECRET',
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });

  it('never echoes a secret value in a problem line', () => {
    try {
      parseEnv({ JWT_SECRET: 'tiny-secret', DATABASE_URL: 'mysql://user:pa55word@host/db' });
      fail('expected a ConfigValidationError');
    } catch (e) {
      const text = (e as Error).message;
      expect(text).not.toContain('tiny-secret');
      expect(text).not.toContain('pa55word');
    }
  });

  it('accepts a 32-byte encryption key as hex or base64 only', () => {
    expect(() => parseEnv({ ENCRYPTION_KEY: 'ab'.repeat(32) })).not.toThrow();
    expect(() =>
      parseEnv({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }),
    ).not.toThrow();
    expect(() => parseEnv({ ENCRYPTION_KEY: Buffer.alloc(16, 7).toString('base64') })).toThrow(
      /ENCRYPTION_KEY/,
    );
  });

  it('requires a signing secret with the error webhook URL', () => {
    expect(() => parseEnv({ ERROR_WEBHOOK_URL: 'https://ops.example.com/hook' })).toThrow(
      /ERROR_WEBHOOK_SECRET: is required when ERROR_WEBHOOK_URL is set/,
    );
    expect(() =>
      parseEnv({
        ERROR_WEBHOOK_URL: 'https://ops.example.com/hook',
        ERROR_WEBHOOK_SECRET: 'short',
      }),
    ).toThrow(/ERROR_WEBHOOK_SECRET: must be at least 16 characters/);
    const env = parseEnv({
      ERROR_WEBHOOK_URL: 'https://ops.example.com/hook',
      ERROR_WEBHOOK_SECRET: 'a-long-enough-signing-secret',
    });
    expect(env.ERROR_WEBHOOK_SECRET).toBe('a-long-enough-signing-secret');
  });
});
