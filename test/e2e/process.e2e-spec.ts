import { spawn, ChildProcessWithoutNullStreams } from 'node:child_process';
import { json } from '../support/json';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/free-port';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

function run(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
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
    await new Promise((r) => setImmediate(r));
  }
}

describe('the built gateway process (dist/main.js)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: run "npm run build" (npm test does it first)`);
  });

  it('refuses to start on bad config with one clear line per problem and no stack', async () => {
    const p = run({ PORT: 'not-a-port', REDIS_URL: 'http://wrong-scheme', JWT_SECRET: 'short' });
    expect(await p.exit).toBe(1);
    const lines = p.output().trim().split('\n');
    expect(lines[0]).toMatch(/Invalid configuration/);
    expect(
      lines
        .slice(1)
        .map((l) => l.trim().split(':')[0])
        .sort(),
    ).toEqual(['JWT_SECRET', 'PORT', 'REDIS_URL']);
    expect(p.output()).not.toMatch(/\s+at\s.+\(.+:\d+:\d+\)/);
  });

  it('boots on embedded stores with nothing configured and exits cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-proc-'));
    const port = await freePort();
    const p = run({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    try {
      await waitForLive(`http://127.0.0.1:${port}`, p.exit);
      const ready = await json(await fetch(`http://127.0.0.1:${port}/health/ready`));
      expect(ready.dependencies['postgres (embedded)'].status).toBe('up');
      p.child.kill('SIGTERM');
      expect(await p.exit).toBe(0);
      expect(p.output()).toContain('draining');
    } finally {
      p.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
