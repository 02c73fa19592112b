import { AppException, ErrorCode } from '../../../../common/errors';
import { toUsageRecord } from '../../../metrics';
import { PostAnswerJournal } from './post-answer.journal';
import { fromStoredRecord, toStoredRecord, type PostAnswerRecord } from './post-answer.record';
import { PostAnswerOutbox, type OutboxEntry, type PostAnswerSpool } from './post-answer.spool';
import { PostAnswerSweeper } from './post-answer.sweeper';
import { PostAnswerWriteError, PostAnswerWriter } from './post-answer.writer';

const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function record(id = 'par_1'): PostAnswerRecord {
  const at = new Date('2026-01-01T10:00:00Z');
  return {
    id,
    org_id: 'o',
    at,
    exchange: {
      thread_id: 't',
      sub_thread_id: null,
      exchange_id: 'xch_1',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
      ],
    },
    call_log: {
      id: 'clog_1',
      org_id: 'o',
      service: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      latency_ms: 12,
      created_at: at,
    },
    usage: [
      toUsageRecord({
        time: at,
        org_id: 'o',
        service: 'openai',
        model: 'gpt-4o-mini',
        input_tokens: 1,
        output_tokens: 2,
        cached_tokens: 0,
        cost_usd: 0.1,
        latency_ms: 12,
        status: 'success',
        cached: false,
      }),
    ],
  };
}

class FakeWriter extends PostAnswerWriter {
  failures: Error[] = [];
  readonly written: string[] = [];
  async write(r: PostAnswerRecord): Promise<void> {
    const f = this.failures.shift();
    if (f) throw f;
    this.written.push(r.id);
  }
}

class FakeSpool implements PostAnswerSpool {
  readonly held: string[] = [];
  fail = false;
  constructor(
    readonly name: string,
    readonly store: PostAnswerSpool['store'],
  ) {}
  async hold(r: PostAnswerRecord): Promise<void> {
    if (this.fail) throw down;
    this.held.push(r.id);
  }
}

describe('PostAnswerRecord', () => {
  it('survives JSON (an outbox row, a queue message) with its dates and ids', () => {
    const r = record();
    const back = fromStoredRecord(JSON.parse(JSON.stringify(toStoredRecord(r))));
    expect(back).toEqual(r);
    expect(back.usage[0].time).toBeInstanceOf(Date);
    expect(() => fromStoredRecord({ id: 'x' })).toThrow(/missing fields/);
  });
});

describe('PostAnswerJournal', () => {
  it('writes the record directly when every store takes it', async () => {
    const writer = new FakeWriter();
    const spool = new FakeSpool('outbox_mongodb', 'documents');
    await new PostAnswerJournal(writer, [spool]).commit(record());
    expect(writer.written).toEqual(['par_1']);
    expect(spool.held).toEqual([]);
  });

  it('keeps the record in a spool outside the store that failed', async () => {
    const writer = new FakeWriter();
    writer.failures.push(new PostAnswerWriteError(new Set(['metrics']), down));
    const inMetrics = new FakeSpool('outbox_postgres', 'metrics');
    const inDocuments = new FakeSpool('outbox_mongodb', 'documents');
    await new PostAnswerJournal(writer, [inMetrics, inDocuments]).commit(record());
    expect(inMetrics.held).toEqual([]);
    expect(inDocuments.held).toEqual(['par_1']);
  });

  it('fails with 503 and Retry-After when no store and no spool takes the record', async () => {
    const writer = new FakeWriter();
    writer.failures.push(new PostAnswerWriteError(new Set(['documents', 'metrics']), down));
    const broker = new FakeSpool('queue', 'broker');
    broker.fail = true;
    const e = await new PostAnswerJournal(writer, [broker])
      .commit(record())
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppException);
    expect(e).toMatchObject({
      code: ErrorCode.SERVICE_UNAVAILABLE,
      headers: { 'retry-after': expect.any(String) },
    });
  });

  it('does not disguise a bug as a storage outage', async () => {
    const writer = new FakeWriter();
    const bug = new TypeError('x is undefined');
    writer.failures.push(bug);
    await expect(new PostAnswerJournal(writer, []).commit(record())).rejects.toBe(bug);
  });
});

describe('PostAnswerSweeper', () => {
  class MemoryOutbox extends PostAnswerOutbox {
    readonly name = 'outbox_memory';
    readonly store = 'documents' as const;
    readonly entries = new Map<string, OutboxEntry & { due: number; error?: string }>();
    async hold(r: PostAnswerRecord): Promise<void> {
      this.entries.set(r.id, { record: r, attempts: 0, due: 0 });
    }
    async claimDue(limit: number, now: Date, leaseUntil: Date): Promise<OutboxEntry[]> {
      const due = [...this.entries.values()].filter((e) => e.due <= now.getTime()).slice(0, limit);
      for (const e of due) e.due = leaseUntil.getTime();
      return due.map((e) => ({ record: e.record, attempts: e.attempts }));
    }
    async remove(ids: string[]): Promise<void> {
      for (const id of ids) this.entries.delete(id);
    }
    async retryLater(id: string, error: string, at: Date): Promise<void> {
      const e = this.entries.get(id)!;
      e.attempts++;
      e.error = error;
      e.due = at.getTime();
    }
  }

  it('writes held records and removes them; a failed write comes back later', async () => {
    const outbox = new MemoryOutbox();
    await outbox.hold(record('par_a'));
    await outbox.hold(record('par_b'));
    const writer = new FakeWriter();
    writer.failures.push(down);
    const sweeper = new PostAnswerSweeper(writer, [outbox, new FakeSpool('queue', 'broker')]);
    await sweeper.sweep();
    expect(writer.written).toEqual(['par_b']);
    expect([...outbox.entries.keys()]).toEqual(['par_a']);
    expect(outbox.entries.get('par_a')).toMatchObject({ attempts: 1, error: down.message });
    // Not due again at once.
    await sweeper.sweep();
    expect(writer.written).toEqual(['par_b']);
    outbox.entries.get('par_a')!.due = 0;
    await sweeper.sweep();
    expect(writer.written).toEqual(['par_b', 'par_a']);
    expect(outbox.entries.size).toBe(0);
  });
});
