import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_DEFAULTS, mintAdminToken } from './bootstrap/admin-token';
import { prepareEnvironment } from './bootstrap/environment';
import { ConfigValidationError } from './config';

/**
 * `npm run token`: prints an admin JWT for this deployment on stdout (nothing else there, so
 * `TOKEN=$(npm run -s token)` works), reading the same environment as the gateway (`.env`,
 * then the local secret in DATA_DIR when no JWT key is configured). Never prints the secret.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      org: { type: 'string', default: ADMIN_TOKEN_DEFAULTS.org },
      sub: { type: 'string', default: ADMIN_TOKEN_DEFAULTS.sub },
      scopes: { type: 'string', default: ADMIN_TOKEN_DEFAULTS.scopes.join(',') },
      'expires-in': { type: 'string', default: ADMIN_TOKEN_DEFAULTS.expiresIn },
    },
  });
  const { env } = prepareEnvironment();
  const scopes = values.scopes.split(/[\s,]+/).filter(Boolean);
  const token = mintAdminToken(env, {
    org: values.org,
    sub: values.sub,
    scopes,
    expiresIn: values['expires-in'],
  });
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `Token for org "${values.org}", user "${values.sub}", scopes [${scopes.join(', ')}], ` +
      `valid ${values['expires-in']}. Send it as "Authorization: Bearer <token>".\n`,
  );
}

try {
  main();
} catch (e) {
  const text =
    e instanceof ConfigValidationError
      ? `Invalid configuration:\n${e.problems.map((p) => `  ${p}`).join('\n')}`
      : e instanceof Error
        ? e.message
        : String(e);
  process.stderr.write(`npm run token: ${text}\n`);
  process.exit(1);
}
