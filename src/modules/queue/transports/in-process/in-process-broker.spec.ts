import { QueueUnavailableError } from '../../core/errors';
import { InProcessBroker, type BrokerMessage } from './in-process-broker';

const msg = (s: string): BrokerMessage => ({
  body: Buffer.from(s),
  attempt: 1,
  redelivered: false,
});
const tick = () => new Promise((r) => setImmediate(r));

describe('InProcessBroker', () => {
  it('refuses to buffer more than its bound, with QueueUnavailableError', () => {
    const b = new InProcessBroker({ maxBuffered: 2, maxDeadPerType: 10 });
    b.declare('t');
    b.publish('t', msg('1'));
    b.publish('t', msg('2'));
    expect(() => b.publish('t', msg('3'))).toThrow(QueueUnavailableError);
    expect(b.depth('t').ready).toBe(2);
  });

  it('never hands a subscription more than its prefetch', async () => {
    const b = new InProcessBroker({ maxBuffered: 100, maxDeadPerType: 10 });
    const held: Array<() => void> = [];
    b.subscribe('t', 2, (_m, settle) => held.push(settle));
    for (let i = 0; i < 5; i++) b.publish('t', msg(String(i)));
    await tick();
    expect(held).toHaveLength(2);
    expect(b.depth('t').ready).toBe(3);
    held[0]();
    await tick();
    expect(held).toHaveLength(3);
  });

  it('returns what a dropped subscription held, flagged redelivered, and ignores its late acks', async () => {
    const b = new InProcessBroker({ maxBuffered: 100, maxDeadPerType: 10 });
    let settleA: (() => void) | undefined;
    const a = b.subscribe('t', 1, (_m, settle) => (settleA = settle));
    b.publish('t', msg('x'));
    await tick();
    b.drop(a);
    const seen: BrokerMessage[] = [];
    b.subscribe('t', 1, (m) => seen.push(m));
    await tick();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ redelivered: true });
    expect(seen[0].body.toString()).toBe('x');
    settleA!();
    expect(b.depth('t')).toEqual({ ready: 0, retrying: 0, dead: 0 });
  });

  it('keeps a bounded dead-letter list and tells listeners', () => {
    const b = new InProcessBroker({ maxBuffered: 100, maxDeadPerType: 2 });
    b.declare('t');
    const events: string[] = [];
    b.onDeadLetter((e) => events.push(e.reason));
    for (const s of ['a', 'b', 'c'])
      b.deadLetter('t', Buffer.from(s), { type: 't', reason: 'poison' });
    expect(b.deadLetters('t').map((x) => x.toString())).toEqual(['b', 'c']);
    expect(events).toEqual(['poison', 'poison', 'poison']);
  });

  it('refuses everything once closed', () => {
    const b = new InProcessBroker({ maxBuffered: 100, maxDeadPerType: 2 });
    b.declare('t');
    b.publishDelayed('t', msg('later'), 60_000);
    expect(b.depth('t').retrying).toBe(1);
    b.close();
    expect(b.depth('t').retrying).toBe(0);
    expect(() => b.publish('t', msg('x'))).toThrow(QueueUnavailableError);
  });
});
