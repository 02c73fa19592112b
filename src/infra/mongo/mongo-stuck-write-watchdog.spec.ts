import { EventEmitter, once } from 'node:events';
import { watchStuckMongoWrites } from './mongo-stuck-write-watchdog';

/** The driver's shape as the watchdog reads it: client.topology.s.servers -> monitor, pool. */
function clientWith(monitor: object, checkedOut: object[] = []) {
  const server = { monitor, pool: { checkedOutConnections: new Set(checkedOut) } };
  return { topology: { s: { servers: new Map([['127.0.0.1:27017', server]]) } } };
}

function socketWithListener(): EventEmitter {
  const socket = new EventEmitter();
  socket.on('error', () => undefined); // the driver's connection always listens
  return socket;
}

const quietLogger = { warn: jest.fn() } as never;

describe('watchStuckMongoWrites', () => {
  it('fails a check stuck waiting to write on a connection the driver already closed', async () => {
    const socket = socketWithListener();
    const monitor = { s: { state: 'monitoring' }, connection: { closed: true, socket } };
    // What the driver awaits in writeCommand: 'drain', or an 'error' that never comes by itself.
    const waiting = once(socket, 'drain');
    const stop = watchStuckMongoWrites(clientWith(monitor), quietLogger, 5);
    try {
      await expect(waiting).rejects.toThrow(/closed while the driver waited to write/);
    } finally {
      stop();
    }
  });

  it('fails an operation stuck writing on a closed connection still checked out of the pool', async () => {
    const socket = socketWithListener();
    const idleMonitor = { s: { state: 'idle' }, connection: null };
    const waiting = once(socket, 'drain');
    const stop = watchStuckMongoWrites(
      clientWith(idleMonitor, [{ closed: true, socket }]),
      quietLogger,
      5,
    );
    try {
      await expect(waiting).rejects.toThrow(/closed while the driver waited to write/);
    } finally {
      stop();
    }
  });

  it('leaves alone a monitor that is idle, or checking on an open connection', async () => {
    const idleSocket = socketWithListener();
    const busySocket = socketWithListener();
    const errors: unknown[] = [];
    idleSocket.on('error', (e) => errors.push(e));
    busySocket.on('error', (e) => errors.push(e));
    const idle = { s: { state: 'idle' }, connection: { closed: true, socket: idleSocket } };
    const busy = { s: { state: 'monitoring' }, connection: { closed: false, socket: busySocket } };
    const stops = [
      watchStuckMongoWrites(clientWith(idle), quietLogger, 5),
      watchStuckMongoWrites(clientWith(busy), quietLogger, 5),
    ];
    // A stuck monitor in a third client is freed: by then the others had as many looks.
    const stuckSocket = socketWithListener();
    const stuck = { s: { state: 'monitoring' }, connection: { closed: true, socket: stuckSocket } };
    const freed = once(stuckSocket, 'drain');
    stops.push(watchStuckMongoWrites(clientWith(stuck), quietLogger, 5));
    try {
      await expect(freed).rejects.toThrow();
      expect(errors).toEqual([]);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('ignores a client without the expected internals', () => {
    const stop = watchStuckMongoWrites({}, quietLogger, 5);
    stop();
    expect(() => watchStuckMongoWrites(undefined, quietLogger, 5)()).not.toThrow();
  });
});
