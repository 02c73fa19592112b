import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export interface MockProcess {
  url: string;
  close(): Promise<void>;
}

/**
 * The mock upstream in a process of its own, for measurements of the gateway's event loop:
 * in the test's process, the mock's own work on a large answer would count as the gateway's.
 */
export function startMockProcess(): Promise<MockProcess> {
  const root = path.join(__dirname, '..', '..', '..');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'test/mock-upstream/main.ts'],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MOCK_RECORD: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`mock upstream exited (${code}): ${out}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (!url) return;
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        url,
        close: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
