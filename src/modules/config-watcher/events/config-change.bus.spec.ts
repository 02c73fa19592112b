import { Logger } from '@nestjs/common';
import type { ConfigChange, ConfigEvent } from './config-change';
import { parseConfigChange } from './config-change';
import { ConfigChangeBus } from './config-change.bus';

const change = (over: Partial<ConfigChange> = {}): ConfigChange => ({
  kind: 'agent',
  org_id: 'org-1',
  id: 'agt_1',
  op: 'upsert',
  ...over,
});

beforeAll(() => Logger.overrideLogger(false));

describe('ConfigChangeBus', () => {
  it('delivers changes to the subscribers of their kind, and resyncs to everyone', () => {
    const bus = new ConfigChangeBus();
    const agents: ConfigEvent[] = [];
    const all: ConfigEvent[] = [];
    bus.subscribe(['agent'], (e) => agents.push(e));
    bus.subscribe(undefined, (e) => all.push(e));

    bus.receive(change({ kind: 'tool', id: 'tool_1' }));
    bus.receive(change());
    bus.resync('test');

    expect(agents).toEqual([
      { type: 'change', change: change(), origin: 'remote' },
      { type: 'resync', reason: 'test' },
    ]);
    expect(all).toHaveLength(3);
    expect(bus.stats()).toEqual({ lastEventAt: expect.any(Date), events: 3 });
  });

  it('applies a local write here first, then hands it to every forwarder', async () => {
    const bus = new ConfigChangeBus();
    const order: string[] = [];
    bus.subscribe(['agent'], (e) => order.push(`local:${e.type === 'change' ? e.origin : ''}`));
    bus.addForwarder({ name: 'a', forward: async () => void order.push('forward:a') });
    bus.addForwarder({ name: 'b', forward: async () => void order.push('forward:b') });
    await bus.announce(change());
    expect(order).toEqual(['local:local', 'forward:a', 'forward:b']);
  });

  it('never fails a write because a forwarder or a listener failed', async () => {
    const bus = new ConfigChangeBus();
    const seen: string[] = [];
    bus.subscribe(['agent'], () => {
      throw new Error('broken cache');
    });
    bus.subscribe(['agent'], () => seen.push('second listener'));
    const remove = bus.addForwarder({
      name: 'down',
      forward: () => Promise.reject(new Error('redis down')),
    });
    await expect(bus.announce(change())).resolves.toBeUndefined();
    expect(seen).toEqual(['second listener']);
    remove();
    expect(bus.forwarderNames()).toEqual([]);
  });

  it('stops delivering to a subscriber that unsubscribed', () => {
    const bus = new ConfigChangeBus();
    const seen: ConfigEvent[] = [];
    const off = bus.subscribe(['agent'], (e) => seen.push(e));
    off();
    bus.receive(change());
    expect(seen).toEqual([]);
  });
});

describe('parseConfigChange', () => {
  it('accepts what the triggers and the relay send, and nothing else', () => {
    expect(parseConfigChange({ kind: 'api_key', org_id: null, id: 'key_1', op: 'delete' })).toEqual(
      { kind: 'api_key', org_id: null, id: 'key_1', op: 'delete' },
    );
    expect(parseConfigChange({ kind: 'tool', org_id: 'o', id: 't', op: 'insert' })).toEqual({
      kind: 'tool',
      org_id: 'o',
      id: 't',
      op: 'upsert',
    });
    for (const bad of [
      null,
      'x',
      { kind: 'nope', id: 'x' },
      { kind: 'agent' },
      { kind: 'agent', id: '' },
    ]) {
      expect(parseConfigChange(bad)).toBeUndefined();
    }
  });
});
