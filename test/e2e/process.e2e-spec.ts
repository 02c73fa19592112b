import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { json } from '../support/json';
import { freePort } from '../support/free-port';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/**
 * Runs a command the way an operator would: in `cwd` (where `.env` is read from), with only
 * PATH and HOME from our environment, so a developer's variables cannot leak in.
 */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const child = spawn(cmd, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitForLive(url: string, exit: Promise<number | null>): Promise<void> {
  let exited = false;
  void exit.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error('the gateway exited before it became live');
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once none of `pids` is alive; rejects after `ms` naming those left. */
async function allGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      throw new Error(`still running: ${pids.filter(isAlive).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Linux: the direct children of `pid` (the embedded database server). */
function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * A directory that looks like a fresh checkout to npm (package.json, with dist, scripts, src and
 * node_modules linked from this one), so `npm start` and `npm run token` run in it and read the
 * `.env` we write there, not the repository's.
 */
function checkoutWithEnvFile(envFile: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aimw-proc-'));
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const name of ['dist', 'scripts', 'src', 'node_modules']) {
    symlinkSync(path.join(ROOT, name), path.join(dir, name));
  }
  writeFileSync(path.join(dir, '.env'), envFile);
  return dir;
}

describe('the built gateway process (dist/main.js)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it first)`);
  });

  it('refuses bad config (environment and .env alike) with one line per problem, once, no stack', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aimw-badcfg-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'PORT=not-a-port\n');
      const p = run(process.execPath, [MAIN], dir, {
        NODE_ENV: 'production',
        REDIS_URL: 'http://wrong-scheme',
        JWT_SECRET: 'short',
        DATA_DIR: path.join(dir, 'data'),
      });
      expect(await p.exit).toBe(1);
      expect(p.stdout()).toBe('');
      const lines = p.stderr().trim().split('\n');
      expect(lines[0]).toMatch(/Invalid configuration/);
      expect(
        lines
          .slice(1)
          .map((l) => l.trim().split(':')[0])
          .sort(),
      ).toEqual(['JWT_SECRET', 'PORT', 'REDIS_URL']);
      expect(p.stderr()).not.toMatch(/\s+at\s.+\(.+:\d+:\d+\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm start: .env applies, a quiet boot, one instance per DATA_DIR, a working `npm run token`, SIGTERM stops everything', async () => {
    const port = await freePort();
    const dir = checkoutWithEnvFile(
      `PORT=${port}\nHOST=127.0.0.1\nDATA_DIR=./data\nNODE_ENV=production\nLOG_LEVEL=info\n`,
    );
    const url = `http://127.0.0.1:${port}`;
    const npm = run(NPM, ['start'], dir);
    const pids: number[] = [];
    try {
      // PORT and HOST come from .env only.
      await waitForLive(url, npm.exit);
      const ready = await json(await fetch(`${url}/health/ready`));
      expect(ready.dependencies['postgres (embedded)'].status).toBe('up');

      // A handful of info lines, among them the one naming the URL, the stores and the docs.
      const logLines = npm
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      const info = logLines.filter((l) => l.level === 30).map((l) => l.msg);
      expect(info).toEqual([
        `AI Middleware listening on ${url} — stores: SQL embedded PGlite in ${path.join(dir, 'data')}, ` +
          `documents in the SQL store, cache and rate limits in-memory, queue in-process — docs at ${url}/docs`,
      ]);
      expect(logLines.length).toBeLessThanOrEqual(5);

      // The lock names the gateway; its child is the embedded database server.
      const gatewayPid = Number(readFileSync(path.join(dir, 'data', 'gateway.lock'), 'utf8'));
      pids.push(gatewayPid, ...childrenOf(gatewayPid));
      expect(pids.length).toBeGreaterThanOrEqual(process.platform === 'linux' ? 2 : 1);

      // A second instance on the same DATA_DIR refuses, in one line, and the first is unharmed.
      const second = run(process.execPath, [MAIN], dir, { PORT: '0' });
      expect(await second.exit).toBe(1);
      expect(second.stderr()).toBe(
        `The gateway did not start: Another gateway (pid ${gatewayPid}) is already running on ` +
          `DATA_DIR ${path.join(dir, 'data')}; stop it or set another DATA_DIR\n`,
      );

      // /v1 errors carry the request id of the x-request-id header.
      const refused = await fetch(`${url}/v1/models`);
      expect(refused.status).toBe(401);
      const body = await json(refused);
      expect(body.error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated' });
      expect(body.error.request_id).toBe(refused.headers.get('x-request-id'));

      // `npm run -s token` prints only the token; the gateway accepts it.
      const token = run(NPM, ['run', '-s', 'token'], dir);
      expect(await token.exit).toBe(0);
      const jwt = token.stdout().trim();
      expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(token.stderr()).not.toContain(
        readFileSync(path.join(dir, 'data', 'jwt.secret'), 'utf8').trim(),
      );
      const models = await fetch(`${url}/v1/models`, {
        headers: { authorization: `Bearer ${jwt}` },
      });
      expect(models.status).toBe(200);
      const settings = await fetch(`${url}/api/v1/settings`, {
        headers: { authorization: `Bearer ${jwt}` },
      });
      expect(settings.status).toBe(200);

      // SIGTERM to npm reaches the gateway, which drains, stops its database child and exits.
      npm.child.kill('SIGTERM');
      expect(await npm.exit).toBe(0);
      await allGone(pids, 20_000);
      expect(npm.stdout()).toContain('SIGTERM received: draining');
      expect(existsSync(path.join(dir, 'data', 'gateway.lock'))).toBe(false);
    } finally {
      npm.child.kill('SIGKILL');
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
    // A fresh PGlite data directory and npm's own start-up take most of this on a loaded machine.
  }, 120_000);
});
