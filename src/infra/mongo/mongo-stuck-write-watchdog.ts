import { Logger } from '@nestjs/common';
import type { EventEmitter } from 'node:events';

/** How often connections are looked at; one seen stuck twice in a row is freed. */
const CHECK_EVERY_MS = 1_000;

interface ConnectionView {
  closed?: unknown;
  socket?: unknown;
}

/**
 * Frees MongoDB driver work that hangs forever on a connection that is already gone — above all
 * the server monitor's check, whose hang leaves the gateway unable to reach MongoDB long after it
 * is back (every operation fails server selection with the error of the outage).
 *
 * The hang (mongodb 6.20, still in 7.9): writing a command, the driver waits for `drain` or
 * `error` when `socket.write` returns false. When the socket has already been destroyed (the
 * server or a proxy dropped it a moment before) and its `close` event has not run yet, write
 * returns false and neither event ever comes: a destroyed socket emits neither, and the
 * connection's cleanup on `close` only fails reads in progress. A monitor stuck so stays
 * "monitoring", no later heartbeat runs, and the server stays Unknown; an operation stuck so holds
 * its request. The fault suite's MongoDB outage (test/fault/post-answer) hit it in 3 of 5 runs
 * (every full CI or fault-project run; the file alone passed twice).
 *
 * Work on a connection the driver has closed ends within a tick, except in that hang. So a
 * monitor "monitoring" on a closed connection, or a closed connection still checked out of the
 * pool, seen twice a second apart, gets the `error` on its socket that the driver waits for: the
 * check or the operation fails like any network error, and the driver carries on. This reads
 * driver internals, so every field is checked and anything unexpected is left alone.
 */
export function watchStuckMongoWrites(
  client: unknown,
  logger = new Logger('MongoDB'),
  everyMs = CHECK_EVERY_MS,
): () => void {
  let suspects = new Set<object>();
  const timer = setInterval(() => {
    const seen = new Set<object>();
    for (const connection of busyConnections(client)) {
      const socket = stuckSocket(connection);
      if (!socket) continue;
      if (!suspects.has(connection)) {
        seen.add(connection);
        continue;
      }
      logger.warn(
        'A MongoDB server check or operation hung on a closed connection; failing it so the driver carries on',
      );
      socket.emit('error', new Error('the connection closed while the driver waited to write'));
    }
    suspects = seen;
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Connections with work in progress: a checking monitor's, and those checked out of a pool. */
function busyConnections(client: unknown): object[] {
  const servers = (client as { topology?: { s?: { servers?: unknown } } } | undefined)?.topology?.s
    ?.servers;
  if (!(servers instanceof Map)) return [];
  const out: object[] = [];
  for (const server of servers.values()) {
    const { monitor, pool } = (server ?? {}) as {
      monitor?: { s?: { state?: unknown }; connection?: unknown };
      pool?: { checkedOutConnections?: unknown };
    };
    const checking = monitor?.s?.state === 'monitoring' ? monitor.connection : undefined;
    if (checking && typeof checking === 'object') out.push(checking);
    const checkedOut = pool?.checkedOutConnections;
    if (checkedOut instanceof Set) {
      for (const c of checkedOut) if (c && typeof c === 'object') out.push(c as object);
    }
  }
  return out;
}

function stuckSocket(connection: ConnectionView): EventEmitter | undefined {
  if (connection.closed !== true) return undefined;
  const socket = connection.socket as Partial<EventEmitter> | undefined;
  return typeof socket?.emit === 'function' &&
    typeof socket.listenerCount === 'function' &&
    socket.listenerCount('error') > 0
    ? (socket as EventEmitter)
    : undefined;
}
