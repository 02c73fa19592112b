import { EventEmitter, once } from 'node:events';
import { watchMongoMonitors } from './mongo-monitor-watchdog';

/** The driver's shape as the watchdog reads it: client.topology.s.servers -> server.monitor. */
function clientWith(monitor: object) {
  return { topology: { s: { servers: new Map([['127.0.0.1:27017', { monitor }]]) } } };
}

function socketWithListener(): EventEmitter {
  const socket = new EventEmitter();
  socket.on('error', () => undefined); // the driver's connection always listens
  return socket;
}

const quietLogger = { warn: jest.fn() } as never;

describe('watchMongoMonitors', () => {
  it('fails a check stuck waiting to write on a connection the driver already closed', async () => {
    const socket = socketWithListener();
    const monitor = { s: { state: 'monitoring' }, connection: { closed: true, socket } };
    // What the driver awaits in writeCommand: 'drain', or an 'error' that never comes by itself.
    const waiting = once(socket, 'drain');
    const stop = watchMongoMonitors(clientWith(monitor), quietLogger, 5);
    try {
      await expect(waiting).rejects.toThrow(/closed while a server check waited/);
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
      watchMongoMonitors(clientWith(idle), quietLogger, 5),
      watchMongoMonitors(clientWith(busy), quietLogger, 5),
    ];
    // A stuck monitor in a third client is freed: by then the others had as many looks.
    const stuckSocket = socketWithListener();
    const stuck = { s: { state: 'monitoring' }, connection: { closed: true, socket: stuckSocket } };
    const freed = once(stuckSocket, 'drain');
    stops.push(watchMongoMonitors(clientWith(stuck), quietLogger, 5));
    try {
      await expect(freed).rejects.toThrow();
      expect(errors).toEqual([]);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('ignores a client without the expected internals', () => {
    const stop = watchMongoMonitors({}, quietLogger, 5);
    stop();
    expect(() => watchMongoMonitors(undefined, quietLogger, 5)()).not.toThrow();
  });
});
