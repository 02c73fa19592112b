import type { mongo } from 'mongoose';
import { errorText } from '../events/config-change.bus';
import { CHANGE_STREAM_PIPELINE } from './mongo-change-stream.source';

export interface ChangeStreamSupport {
  supported: boolean;
  /** Why not (shown in the log when the watcher falls back to polling). */
  reason?: string;
}

/**
 * Whether this MongoDB offers change streams: only replica sets and sharded clusters do, and
 * some wire-compatible servers (FerretDB) answer `$changeStream` with NotImplemented. Asking
 * `hello` first avoids a failing aggregate on a standalone server; the real aggregate then
 * settles it, whatever the server claims.
 */
export async function detectChangeStreams(db: mongo.Db): Promise<ChangeStreamSupport> {
  try {
    const hello = await db.admin().command({ hello: 1 });
    if (typeof hello.setName !== 'string' && hello.msg !== 'isdbgrid') {
      return { supported: false, reason: 'the server is not a replica set or sharded cluster' };
    }
    const probe = db.watch(CHANGE_STREAM_PIPELINE, { maxAwaitTimeMS: 50 });
    try {
      await probe.tryNext();
    } finally {
      await probe.close().catch(() => undefined);
    }
    return { supported: true };
  } catch (e) {
    return { supported: false, reason: errorText(e) };
  }
}
