import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';

/** At most one heartbeat-failure warning per this long (a down server fails every 0.5 s). */
const HEARTBEAT_LOG_EVERY_MS = 10_000;

interface HeartbeatFailed {
  failure?: { message?: string };
  duration?: number;
}
interface DescriptionChanged {
  address?: string;
  previousDescription?: { type?: string };
  newDescription?: { type?: string; error?: { message?: string } | null };
}

/**
 * Logs when the driver loses and regains the MongoDB server (its monitor's view, which decides
 * whether operations can be sent at all), and its failed checks at most once per 10 s: after an
 * outage this is how an operator sees whether the gateway reconnected, and when.
 */
export function logMongoTopology(connection: Connection, logger = new Logger('MongoDB')): void {
  const client = connection.getClient();
  let lastHeartbeatLog = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  client.on('serverHeartbeatFailed', (e: HeartbeatFailed) => {
    unlogged++;
    const now = Date.now();
    if (now - lastHeartbeatLog < HEARTBEAT_LOG_EVERY_MS) return;
    logger.warn(
      `MongoDB server check failed (${unlogged} since the last warning) after ${Math.round(e.duration ?? 0)} ms: ${e.failure?.message ?? 'unknown error'}`,
    );
    lastHeartbeatLog = now;
    unlogged = 0;
  });
  client.on('serverDescriptionChanged', (e: DescriptionChanged) => {
    const before = e.previousDescription?.type ?? 'Unknown';
    const after = e.newDescription?.type ?? 'Unknown';
    if ((before === 'Unknown') === (after === 'Unknown')) return;
    if (after === 'Unknown') {
      logger.warn(
        `MongoDB server ${e.address ?? ''} unreachable: ${e.newDescription?.error?.message ?? 'no answer'}`,
      );
    } else {
      logger.log(`MongoDB server ${e.address ?? ''} reachable (${after})`);
    }
  });
}
