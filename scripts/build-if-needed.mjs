// `npm start` builds first when dist/ is missing or older than any source file, so a fresh
// clone needs only `npm ci && npm start`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const entry = join(root, 'dist', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

const stale = !existsSync(entry) || newestMtime(join(root, 'src')) > statSync(entry).mtimeMs;
if (stale) {
  // Build output goes to stderr: `npm run -s token` must print the token alone on stdout.
  console.error('Building the gateway (dist/ is missing or out of date)...');
  execSync('npm run build', { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
}
