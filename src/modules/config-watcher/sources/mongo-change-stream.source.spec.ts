import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { ConfigChange } from '../events/config-change';
import { ReconnectBackoff } from './backoff';
import {
  MongoChangeStreamSource,
  type ChangeDoc,
  type ChangeStreamLike,
  type WatchOptions,
} from './mongo-change-stream.source';

beforeAll(() => Logger.overrideLogger(false));

/** An emitter-mode change stream the test drives by hand. */
class FakeStream extends EventEmitter implements ChangeStreamLike {
  closed = false;
  constructor(readonly options: WatchOptions) {
    super();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('MongoChangeStreamSource', () => {
  let streams: FakeStream[];
  let changes: ConfigChange[];
  let resyncs: string[];
  let source: MongoChangeStreamSource;

  beforeEach(async () => {
    jest.useFakeTimers();
    streams = [];
    changes = [];
    resyncs = [];
    source = new MongoChangeStreamSource(
      (_pipeline, options) => {
        const s = new FakeStream(options);
        streams.push(s);
        return s;
      },
      new ReconnectBackoff(100, 100, () => 1),
    );
    await source.start({ change: (c) => changes.push(c), resync: (r) => resyncs.push(r) });
  });
  afterEach(async () => {
    await source.stop();
    jest.useRealTimers();
  });

  const emit = (doc: Partial<ChangeDoc> & { _id: unknown }) =>
    streams.at(-1)!.emit('change', { ns: { coll: 'agents' }, ...doc });

  it('turns inserts, updates and deletes of the config collections into changes', () => {
    emit({
      _id: 't1',
      operationType: 'insert',
      documentKey: { _id: 'agt_1' },
      fullDocument: { org_id: 'o' },
    });
    emit({
      _id: 't2',
      operationType: 'update',
      documentKey: { _id: 'agt_1' },
      fullDocument: { org_id: 'o' },
      updateDescription: { updatedFields: { prompt: 'x', updated_at: new Date() } },
    });
    emit({ _id: 't3', operationType: 'delete', documentKey: { _id: 'agt_1' } });
    emit({
      _id: 't4',
      operationType: 'insert',
      ns: { coll: 'call_logs' },
      documentKey: { _id: 'x' },
    });
    expect(changes).toEqual([
      { kind: 'agent', org_id: 'o', id: 'agt_1', op: 'upsert' },
      { kind: 'agent', org_id: 'o', id: 'agt_1', op: 'upsert' },
      { kind: 'agent', org_id: null, id: 'agt_1', op: 'delete' },
    ]);
    expect(source.status()).toEqual({ healthy: true, lastError: undefined });
    expect(source.resumeToken).toBe('t4');
  });

  it('ignores bookkeeping updates that leave updated_at alone', () => {
    emit({
      _id: 't1',
      operationType: 'update',
      ns: { coll: 'api_keys' },
      documentKey: { _id: 'key_1' },
      updateDescription: { updatedFields: { last_used_at: new Date() } },
    });
    expect(changes).toEqual([]);
  });

  it('reopens after a failure from the last resume token, without a resync', async () => {
    streams[0].emit('resumeTokenChanged', 'tok-1');
    streams[0].emit('error', new Error('connection reset'));
    expect(source.status()).toEqual({ healthy: false, lastError: 'connection reset' });
    expect(streams[0].closed).toBe(true);
    await jest.advanceTimersByTimeAsync(100);
    expect(streams).toHaveLength(2);
    expect(streams[1].options).toEqual({ fullDocument: 'updateLookup', resumeAfter: 'tok-1' });
    streams[1].emit('resumeTokenChanged', 'tok-2');
    expect(source.status().healthy).toBe(true);
    expect(resyncs).toEqual([]);
  });

  it('starts afresh and resyncs every cache when the token fell out of the oplog', async () => {
    streams[0].emit('resumeTokenChanged', 'tok-1');
    streams[0].emit('error', Object.assign(new Error('history lost'), { code: 286 }));
    await jest.advanceTimersByTimeAsync(100);
    expect(streams[1].options).toEqual({ fullDocument: 'updateLookup' });
    streams[1].emit('resumeTokenChanged', 'tok-9');
    expect(resyncs).toEqual(['the change stream restarted']);
  });

  it('stops for good when stopped', async () => {
    await source.stop();
    streams[0].emit('close');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(streams).toHaveLength(1);
  });
});
