import { Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '../../../common/errors';
import type { Agent, AgentsService } from '../../agents';
import { ConfigChangeBus } from '../../config-watcher';
import type { ExecutableTool, ToolsService } from '../../tools';
import { AgentsAdapter, ToolsAdapter } from './port-adapters';

beforeAll(() => Logger.overrideLogger(false));

const agent = (prompt: string) => ({ id: 'agt_1', org_id: 'o', prompt }) as unknown as Agent;
const tool = (id: string, url: string) => ({ id, org_id: 'o', url }) as unknown as ExecutableTool;

describe('AgentsAdapter (hot-path cache)', () => {
  let bus: ConfigChangeBus;
  let stored: Agent | undefined;
  let reads: number;
  let adapter: AgentsAdapter;

  beforeEach(() => {
    bus = new ConfigChangeBus();
    stored = agent('one');
    reads = 0;
    const service = {
      get: async (_org: string, id: string) => {
        reads++;
        if (!stored) throw new AppException(ErrorCode.NOT_FOUND, `Agent ${id} not found`);
        return stored;
      },
    };
    adapter = new AgentsAdapter(service as unknown as AgentsService, bus);
    adapter.onModuleInit();
  });
  afterEach(() => adapter.onModuleDestroy());

  it('reads the store once, then serves the copy until a change event drops it', async () => {
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('one');
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('one');
    expect(reads).toBe(1);
    stored = agent('two');
    bus.receive({ kind: 'agent', org_id: 'o', id: 'agt_1', op: 'upsert' });
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('two');
    // Another org's agent with that id is none of this entry's business, but a resync is.
    stored = agent('three');
    bus.receive({ kind: 'agent', org_id: 'other', id: 'agt_1', op: 'upsert' });
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('two');
    bus.resync('test');
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('three');
  });

  it('answers 404 for a deleted agent, and remembers it only until it is created', async () => {
    await adapter.get('o', 'agt_1');
    stored = undefined;
    bus.receive({ kind: 'agent', org_id: null, id: 'agt_1', op: 'delete' });
    await expect(adapter.get('o', 'agt_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(adapter.get('o', 'agt_1')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Agent agt_1 not found',
    });
    const readsAfterMiss = reads;
    expect(readsAfterMiss).toBe(2);
    stored = agent('back');
    bus.receive({ kind: 'agent', org_id: 'o', id: 'agt_1', op: 'upsert' });
    expect((await adapter.get('o', 'agt_1')).prompt).toBe('back');
  });
});

describe('ToolsAdapter (hot-path cache)', () => {
  it('loads only the tools it does not hold, and drops a changed one', async () => {
    const bus = new ConfigChangeBus();
    const urls: Record<string, string> = { t1: 'https://a/1', t2: 'https://a/2' };
    const asked: string[][] = [];
    const service = {
      getMany: async (_org: string, ids: string[]) => {
        asked.push(ids);
        return ids.map((id) => tool(id, urls[id]));
      },
    };
    const adapter = new ToolsAdapter(service as unknown as ToolsService, bus);
    adapter.onModuleInit();

    expect((await adapter.getExecutable('o', ['t1'])).map((t) => t.url)).toEqual(['https://a/1']);
    expect((await adapter.getExecutable('o', ['t2', 't1', 't2'])).map((t) => t.id)).toEqual([
      't2',
      't1',
    ]);
    expect(asked).toEqual([['t1'], ['t2']]);

    urls.t1 = 'https://b/1';
    bus.receive({ kind: 'tool', org_id: 'o', id: 't1', op: 'upsert' });
    expect((await adapter.getExecutable('o', ['t1', 't2'])).map((t) => t.url)).toEqual([
      'https://b/1',
      'https://a/2',
    ]);
    expect(asked.at(-1)).toEqual(['t1']);
    adapter.onModuleDestroy();
  });
});
