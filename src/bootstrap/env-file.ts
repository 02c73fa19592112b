import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * Loads `.env` from `dir` into `env`, for every key, before anything reads the environment (the
 * gateway's listen address included). A variable already set in the real environment wins, so
 * `PORT=4000 npm start` overrides the file. Returns the path read, or undefined when there is none.
 */
export function loadEnvFile(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = process.cwd(),
): string | undefined {
  const file = path.join(dir, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (env[key] === undefined && value !== undefined) env[key] = value;
  }
  return file;
}
