import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/**
 * The event-loop probe's clock: a separate process (liveness-poller.mjs) polling
 * GET /health/live back to back. `reset` before a request, `report` after it: the slowest poll
 * meanwhile is how long the request held the gateway's loop for every tenant.
 */
export class LivenessPoller {
  private readonly child: ChildProcess;

  constructor(url: string) {
    this.child = fork(path.join(__dirname, 'liveness-poller.mjs'), [url], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  private ask<T>(type: string, answer: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== answer) return;
        this.child.off('message', onMessage);
        resolve(m as T);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code) => reject(new Error(`poller exited (${code})`)));
      this.child.send({ type });
    });
  }

  reset(): Promise<void> {
    return this.ask('reset', 'reset-done');
  }

  report(): Promise<{ maxMs: number; polls: number }> {
    return this.ask('report', 'report');
  }

  stop(): void {
    this.child.send({ type: 'stop' });
    this.child.disconnect();
  }
}
