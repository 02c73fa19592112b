import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { TEST_JWT_SECRET } from './test-app';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'main.js');

export interface ChildGateway {
  url: string;
  pid: number;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Builds dist/ when it is missing or older than src/ (a no-op under `npm test`, which builds first). */
export function buildIfNeeded(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-needed.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * The built gateway (`node dist/main.js`) as its own process, as in production: its own event
 * loop, its own module registries (passport's and the RabbitMQ client's are process-wide).
 * Only the given variables are set, plus the test JWT secret and a private DATA_DIR.
 */
export async function startChildGateway(env: Record<string, string>): Promise<ChildGateway> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-child-'));
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Ready means every configured dependency answered (Redis included).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the gateway exited during boot:\n${out}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway did not become ready:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid ?? 0, output: () => out, stop };
}
