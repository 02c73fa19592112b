import { Logger } from '@nestjs/common';
import { errorText } from '../events/config-change.bus';
import { watcherMetrics } from '../events/watcher.metrics';
import { ReconnectBackoff } from './backoff';
import type { ChangeSink, ChangeSource, SourceStatus } from './change-source';
import { KIND_OF_STORE, STORE_OF_KIND } from './watched-stores';

/** The fields of a change event this source reads (the driver's type is a wide union). */
export interface ChangeDoc {
  _id: unknown;
  operationType: string;
  ns?: { coll?: string };
  documentKey?: { _id?: unknown };
  fullDocument?: { org_id?: unknown } | null;
  updateDescription?: { updatedFields?: Record<string, unknown> };
}

/** The part of the driver's ChangeStream this source uses (an emitter-mode stream). */
export interface ChangeStreamLike {
  on(event: 'change', listener: (doc: ChangeDoc) => void): unknown;
  on(event: 'resumeTokenChanged', listener: (token: unknown) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  close(): Promise<void>;
}

export interface WatchOptions {
  fullDocument: 'updateLookup';
  resumeAfter?: unknown;
}

/** Opens a database-wide change stream (`db.watch(pipeline, options)`). */
export type OpenStream = (pipeline: object[], options: WatchOptions) => ChangeStreamLike;

/** Errors after which the resume token is useless: start afresh and resync the caches. */
const TOKEN_LOST_CODES = new Set([
  260, // InvalidResumeToken
  280, // ChangeStreamFatalError
  286, // ChangeStreamHistoryLost
]);

export const CHANGE_STREAM_PIPELINE: object[] = [
  {
    $match: {
      'ns.coll': { $in: Object.values(STORE_OF_KIND) },
      operationType: { $in: ['insert', 'update', 'replace', 'delete'] },
    },
  },
];

/**
 * MongoDB change streams (replica sets and sharded clusters): one database-wide stream over the
 * configuration collections. The driver resumes by itself after a transient error; when it gives
 * up (the database was down for longer), this source reopens the stream with backoff from the
 * last resume token it kept, so nothing is missed. If the token is no longer in the oplog, the
 * stream starts afresh and every cache resyncs.
 */
export class MongoChangeStreamSource implements ChangeSource {
  readonly mode = 'change-stream' as const;
  private readonly logger = new Logger('ConfigWatcher');
  private readonly backoff: ReconnectBackoff;
  private stream: ChangeStreamLike | undefined;
  private token: unknown;
  private sink: ChangeSink | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private healthy = false;
  private freshAfterFailure = false;
  private lastError: string | undefined;

  constructor(
    private readonly open: OpenStream,
    backoff = new ReconnectBackoff(),
  ) {
    this.backoff = backoff;
  }

  async start(sink: ChangeSink): Promise<void> {
    this.sink = sink;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const stream = this.stream;
    this.stream = undefined;
    await stream?.close().catch(() => undefined);
  }

  status(): SourceStatus {
    return { healthy: this.healthy, lastError: this.lastError };
  }

  /** The last resume token kept (exposed for tests and diagnostics). */
  get resumeToken(): unknown {
    return this.token;
  }

  private connect(): void {
    if (this.stopped) return;
    const resuming = this.token !== undefined;
    let stream: ChangeStreamLike;
    try {
      stream = this.open(CHANGE_STREAM_PIPELINE, {
        fullDocument: 'updateLookup',
        ...(resuming ? { resumeAfter: this.token } : {}),
      });
    } catch (e) {
      this.failed(undefined, e);
      return;
    }
    this.stream = stream;
    stream.on('resumeTokenChanged', (token) => {
      if (this.stream !== stream) return;
      this.token = token;
      this.up(resuming);
    });
    stream.on('change', (doc) => {
      if (this.stream !== stream) return;
      this.token = doc._id;
      this.up(resuming);
      this.onChange(doc);
    });
    stream.on('error', (e) => this.failed(stream, e));
    stream.on('close', () => this.failed(stream, new Error('the change stream closed')));
  }

  /** The stream answered: healthy again; a fresh start after a failure may have missed changes. */
  private up(resumed: boolean): void {
    if (this.healthy) return;
    this.healthy = true;
    this.backoff.reset();
    if (this.freshAfterFailure && !resumed) this.sink?.resync('the change stream restarted');
    this.freshAfterFailure = false;
  }

  private failed(stream: ChangeStreamLike | undefined, e: unknown): void {
    if (this.stopped || (stream !== undefined && this.stream !== stream)) return;
    this.stream = undefined;
    void stream?.close().catch(() => undefined);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && TOKEN_LOST_CODES.has(code)) this.token = undefined;
    const text = errorText(e);
    if (this.healthy || this.lastError !== text) {
      this.logger.warn(`Config change stream failed: ${text}; reopening`);
    }
    watcherMetrics.failures.inc({ mode: this.mode });
    this.healthy = false;
    this.freshAfterFailure = true;
    this.lastError = text;
    this.retry = setTimeout(() => this.connect(), this.backoff.next());
    this.retry.unref();
  }

  private onChange(doc: ChangeDoc): void {
    const kind = doc.ns?.coll === undefined ? undefined : KIND_OF_STORE.get(doc.ns.coll);
    const id = doc.documentKey?._id;
    // Our records use string ids; anything else is not one of ours.
    if (kind === undefined || typeof id !== 'string') return;
    if (doc.operationType === 'update') {
      // Bookkeeping writes (last use of an API key, re-encryption) leave updated_at alone.
      const fields = doc.updateDescription?.updatedFields ?? {};
      if (!Object.prototype.hasOwnProperty.call(fields, 'updated_at')) return;
    }
    const org = doc.fullDocument?.org_id;
    this.sink?.change({
      kind,
      org_id: typeof org === 'string' ? org : null,
      id,
      op: doc.operationType === 'delete' ? 'delete' : 'upsert',
    });
  }
}
