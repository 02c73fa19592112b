import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { withDeadline } from './deadline';
import { StoreTimeoutError } from './store-errors';

/** Blocks the event loop, as a burst of requests does. */
function busy(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

describe('withDeadline', () => {
  it('passes the answer and the error of the work through', async () => {
    await expect(withDeadline(Promise.resolve(1), 50)).resolves.toBe(1);
    await expect(withDeadline(Promise.reject(new Error('boom')), 50)).rejects.toThrow('boom');
  });

  it('times out a call that never answers', async () => {
    const err = await withDeadline(new Promise(() => undefined), 30).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreTimeoutError);
  });

  it('takes an answer that reached the socket while the loop was blocked past the deadline', async () => {
    // A store on a real socket: its reply lands in the kernel buffer while the loop is busy, so
    // when the loop frees up the deadline timer runs first (timers before I/O) — and must not win.
    let serverSide: Socket | undefined;
    const server = createServer((socket) => {
      serverSide = socket;
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1').on('error', () => undefined);
    await new Promise((resolve) => client.once('connect', resolve));
    while (!serverSide) await new Promise((resolve) => setImmediate(resolve));
    try {
      const reply = new Promise<string>((resolve) =>
        client.once('data', (d: Buffer) => resolve(d.toString())),
      );
      serverSide.write('counted'); // written to the kernel now; read by the client only later
      // No lag allowance: only reading pending I/O before deciding can save this answer.
      const raced = withDeadline(reply, 50, { lagToleranceMs: Number.POSITIVE_INFINITY });
      busy(200);
      await expect(raced).resolves.toBe('counted');
    } finally {
      client.destroy();
      serverSide.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives the store another window when the timer itself fired late, up to the hard cap', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 150));
    const raced = withDeadline(slow, 100, { lagToleranceMs: 20, hardCapMs: 1_000 });
    setTimeout(() => busy(80), 60); // the deadline timer fires ~40 ms late
    await expect(raced).resolves.toBe('late');

    const never = withDeadline(new Promise(() => undefined), 20, {
      lagToleranceMs: 0,
      hardCapMs: 60,
    });
    setTimeout(() => busy(30), 5);
    await expect(never).rejects.toBeInstanceOf(StoreTimeoutError);
  });
});
