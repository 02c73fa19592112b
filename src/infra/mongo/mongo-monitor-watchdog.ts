import { Logger } from '@nestjs/common';
import type { EventEmitter } from 'node:events';

/** How often the monitors are looked at; a monitor seen stuck twice in a row is freed. */
const CHECK_EVERY_MS = 1_000;

interface MonitorView {
  s?: { state?: unknown };
  connection?: { closed?: unknown; socket?: unknown } | null;
}

/**
 * Frees a MongoDB driver server monitor whose check hangs forever, which otherwise leaves the
 * gateway unable to reach MongoDB long after it is back (every operation fails server
 * selection with the error of the outage).
 *
 * The hang (mongodb 6.20, still in 7.9): a check writes `hello` to its connection; when the
 * socket has already been destroyed but its `close` event has not run yet (the server or a
 * proxy dropped the connection a moment before), `socket.write` returns false and the driver
 * waits for `drain` or `error`. Neither ever comes: a destroyed socket emits neither, and the
 * connection's cleanup on `close` only fails reads in progress. The monitor stays in its
 * "monitoring" state, so no later heartbeat runs, and the server stays Unknown. Reproduced by the
 * fault suite's MongoDB outage (test/fault/post-answer.fault-spec.ts) in 3 runs out of 3.
 *
 * A monitor that is "monitoring" on a connection the driver has already closed is in exactly
 * that state (a check on a closed connection otherwise fails within the same tick). Seen so
 * twice in a row, its socket gets the `error` the driver waits for: the check fails like any
 * failed heartbeat, and monitoring resumes. This reads driver internals, so every field is
 * checked and anything unexpected is left alone.
 */
export function watchMongoMonitors(
  client: unknown,
  logger = new Logger('MongoDB'),
  everyMs = CHECK_EVERY_MS,
): () => void {
  const suspects = new WeakSet<object>();
  const timer = setInterval(() => {
    for (const monitor of monitorsOf(client)) {
      const socket = stuckSocket(monitor);
      if (!socket) {
        suspects.delete(monitor);
        continue;
      }
      if (!suspects.has(monitor)) {
        suspects.add(monitor);
        continue;
      }
      suspects.delete(monitor);
      logger.warn(
        'A MongoDB server check hung on a closed connection; failing it so monitoring resumes',
      );
      socket.emit('error', new Error('the connection closed while a server check waited to write'));
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function monitorsOf(client: unknown): MonitorView[] {
  const servers = (client as { topology?: { s?: { servers?: unknown } } } | undefined)?.topology?.s
    ?.servers;
  if (!(servers instanceof Map)) return [];
  const out: MonitorView[] = [];
  for (const server of servers.values()) {
    const monitor = (server as { monitor?: unknown } | undefined)?.monitor;
    if (monitor && typeof monitor === 'object') out.push(monitor);
  }
  return out;
}

function stuckSocket(monitor: MonitorView): EventEmitter | undefined {
  if (monitor.s?.state !== 'monitoring') return undefined;
  const connection = monitor.connection;
  if (!connection || connection.closed !== true) return undefined;
  const socket = connection.socket as Partial<EventEmitter> | undefined;
  return typeof socket?.emit === 'function' &&
    typeof socket.listenerCount === 'function' &&
    socket.listenerCount('error') > 0
    ? (socket as EventEmitter)
    : undefined;
}
