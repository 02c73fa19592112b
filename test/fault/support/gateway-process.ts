import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../support/free-port';
import { TEST_JWT_SECRET } from '../../support/test-app';
import { waitFor } from './wait';

const MAIN = path.join(__dirname, '..', '..', '..', 'dist', 'main.js');
/** The tail of a gateway's output kept for failure messages. */
const KEEP_OUTPUT = 64 * 1024;

export interface GatewayProcess {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  env: Record<string, string>;
  /** The last 64 KiB of its stdout and stderr. */
  output(): string;
  /** `kill -9`: no shutdown hook runs, nothing is flushed. */
  kill9(): Promise<void>;
  /** Sends a signal without waiting (e.g. SIGTERM to observe the drain). */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs the built gateway (`node dist/main.js`) as a child process, so that `kill -9` is a real
 * crash: nothing in it gets a chance to flush or drain. Resolves once /health/live answers.
 * `DATA_DIR` is a fresh temporary directory unless given (pass the same one to restart on the
 * same embedded data).
 */
export async function startGateway(
  env: Record<string, string | undefined>,
): Promise<GatewayProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  const port = await freePort();
  const ownDir = env.DATA_DIR === undefined;
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'aimw-fault-'));
  const full: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    // FAULT_LOG_LEVEL=info shows every request in `output()` when a scenario needs explaining.
    LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
  };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) full[k] = v;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: full,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > KEEP_OUTPUT * 2) out = out.slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const gw: GatewayProcess = {
    url,
    port,
    pid: child.pid!,
    dataDir,
    env: full,
    output: () => out.slice(-KEEP_OUTPUT),
    exited,
    kill9: async () => {
      // The embedded database runs in a child of the gateway and stops when it loses its
      // parent; a restart on the same DATA_DIR must wait for that.
      const children = childrenOf(child.pid!);
      if (!gone) child.kill('SIGKILL');
      await exited;
      await waitFor("the gateway's children to exit", () => children.every((pid) => !alive(pid)), {
        timeoutMs: 20_000,
      });
    },
    signal: (sig) => {
      if (!gone) child.kill(sig);
    },
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      const code = await exited;
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  try {
    await waitFor(
      'the gateway to become live',
      async () => {
        if (gone) throw new Error(`the gateway exited before it became live:\n${gw.output()}`);
        const res = await fetch(`${url}/health/live`).catch(() => undefined);
        return res?.ok === true;
      },
      { timeoutMs: 60_000, fatal: () => gone },
    );
  } catch (e) {
    await gw.kill9();
    throw e;
  }
  return gw;
}

/** Direct children of a process (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
