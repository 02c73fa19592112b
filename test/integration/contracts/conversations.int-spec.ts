import { randomUUID } from 'node:crypto';
import type {
  ConversationMessage,
  ConversationMessageInput,
} from '../../../src/modules/conversations/conversation.types';
import {
  ConversationsRepository,
  type ThreadRef,
} from '../../../src/modules/conversations/conversations.repository';
import { ConversationsService } from '../../../src/modules/conversations/conversations.service';
import { MongoConversationsRepository } from '../../../src/modules/conversations/mongo/mongo-conversations.repository';
import { PostgresConversationsRepository } from '../../../src/modules/conversations/postgres/postgres-conversations.repository';
import type { Usage } from '../../../src/modules/providers/provider.types';
import { adapterFor, describeEachBackend, newOrg } from './backends';

const usage: Usage = {
  input_tokens: 10,
  output_tokens: 5,
  total_tokens: 15,
  cached_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: 0.0001,
};

/** A user turn with one tool round: user, assistant(tool_calls), tool, assistant. */
function exchange(n: number): ConversationMessageInput[] {
  return [
    { role: 'user', content: `question ${n}` },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: `call_${n}`, type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
      ],
      model: 'gpt-4o-mini',
      service: 'openai',
    },
    { role: 'tool', content: `result ${n}`, tool_call_id: `call_${n}` },
    {
      role: 'assistant',
      content: [{ type: 'text', text: `answer ${n}` }],
      model: 'gpt-4o-mini',
      service: 'openai',
      usage,
    },
  ];
}

const contents = (ms: ConversationMessage[]) =>
  ms.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));

describeEachBackend('ConversationsRepository contract', (backend) => {
  let repo: ConversationsRepository;
  let service: ConversationsService;
  beforeAll(() => {
    repo = adapterFor(
      ConversationsRepository,
      backend(),
      MongoConversationsRepository,
      PostgresConversationsRepository,
    );
    service = new ConversationsService(repo);
  });
  const thread = (orgId = newOrg(), subThreadId: string | null = null): ThreadRef => ({
    orgId,
    threadId: `t-${randomUUID()}`,
    subThreadId,
  });
  /** Exchanges one millisecond apart, so their order is by time (not by id). */
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i));
  const append = (t: ThreadRef, n: number, exchangeId = `xch_${randomUUID()}`) =>
    repo.appendExchange(t, { exchangeId, createdAt: at(n), messages: exchange(n) });

  it('appends an exchange and reads every field back, in order', async () => {
    const t = thread();
    const stored = await append(t, 1);
    expect(stored.map((m) => m.position)).toEqual([0, 1, 2, 3]);
    const page = await repo.listMessages(t, {});
    expect(page.items).toEqual(stored);
    expect(page.next_cursor).toBeNull();
    expect(page.items[1]).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup' } }],
      model: 'gpt-4o-mini',
      service: 'openai',
      usage: null,
      sub_thread_id: null,
    });
    expect(page.items[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
    expect(page.items[3].usage).toEqual(usage);
    expect(page.items[3].content).toEqual([{ type: 'text', text: 'answer 1' }]);
  });

  it('pages through several exchanges in conversation order, cursors falling mid-exchange', async () => {
    const t = thread();
    for (const n of [3, 1, 2]) await append(t, n);
    const seen: ConversationMessage[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.listMessages(t, { limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(contents(seen).filter((c) => c.startsWith('question'))).toEqual([
      'question 1',
      'question 2',
      'question 3',
    ]);
    expect(seen).toHaveLength(12);
    expect(new Set(seen.map((m) => m.id)).size).toBe(12);
  });

  it('pages newest first as well, cursors falling mid-exchange', async () => {
    const t = thread();
    for (const n of [3, 1, 2]) await append(t, n);
    const forward = (await repo.listMessages(t, {})).items.map((m) => m.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.listMessages(t, { limit: 5, cursor }, 'desc');
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...forward].reverse());
  });

  it('pages across more exchanges than one read returns, in both orders', async () => {
    const t = thread();
    // More exchanges than the MongoDB adapter reads per round trip (50).
    for (let i = 0; i < 60; i++) {
      await repo.appendExchange(t, {
        exchangeId: `xch_${String(i).padStart(3, '0')}-${randomUUID()}`,
        createdAt: at(1),
        messages: [{ role: 'user', content: `m${i}` }],
      });
    }
    const forward = (await repo.listMessages(t, { limit: 200 })).items.map((m) => m.content);
    expect(forward).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
    const first = await repo.listMessages(t, { limit: 55 }, 'desc');
    const rest = await repo.listMessages(t, { limit: 55, cursor: first.next_cursor! }, 'desc');
    expect([...first.items, ...rest.items].map((m) => m.content)).toEqual([...forward].reverse());
    expect(rest.next_cursor).toBeNull();
  });

  it('finds one message by exchange and position, in its thread and org only', async () => {
    const t = thread();
    const stored = await append(t, 1);
    const tool = stored[2];
    expect(await repo.getMessage(t, tool.exchange_id, 2)).toEqual(tool);
    expect(await repo.getMessage(t, tool.exchange_id, 4)).toBeNull();
    expect(await repo.getMessage({ ...t, orgId: newOrg() }, tool.exchange_id, 2)).toBeNull();
    expect(await repo.getMessage({ ...t, threadId: 'other' }, tool.exchange_id, 2)).toBeNull();
    expect(await service.getMessage(t.orgId, t.threadId, null, tool.id)).toEqual(tool);
    expect(await service.getMessage(t.orgId, t.threadId, null, 'no-colon')).toBeNull();
    expect(await service.getMessage(t.orgId, t.threadId, null, 'x\u0000:1')).toBeNull();
  });

  it('keeps orgs, threads and sub-threads apart', async () => {
    const org = newOrg();
    const main = thread(org);
    const sub = { ...main, subThreadId: 'sub-1' };
    await append(main, 1);
    await append(sub, 2);
    expect(contents((await repo.listMessages(main, {})).items)[0]).toBe('question 1');
    expect(contents((await repo.listMessages(sub, {})).items)[0]).toBe('question 2');
    expect((await repo.listMessages({ ...main, orgId: newOrg() }, {})).items).toEqual([]);
    expect(await repo.recentMessages({ ...sub, orgId: newOrg() }, 100)).toEqual([]);
  });

  it('stores nothing when any message of an exchange is rejected (atomic append)', async () => {
    const t = thread();
    await append(t, 1);
    const bad = [
      ...exchange(2),
      { role: 'wizard', content: 'not a role' } as unknown as ConversationMessageInput,
    ];
    await expect(
      repo.appendExchange(t, {
        exchangeId: `xch_${randomUUID()}`,
        createdAt: at(2),
        messages: bad,
      }),
    ).rejects.toBeDefined();
    const all = (await repo.listMessages(t, {})).items;
    expect(all).toHaveLength(4);
    expect(contents(all)).not.toContain('question 2');
  });

  it('makes a retried append with the same exchange id a no-op', async () => {
    const t = thread();
    const first = await append(t, 1, 'xch_retry-1');
    const second = await append(t, 1, 'xch_retry-1');
    expect(second).toEqual(first);
    expect((await repo.listMessages(t, {})).items).toHaveLength(4);
    // The same exchange id in another org is a different exchange.
    const other = { ...t, orgId: newOrg() };
    await append(other, 1, 'xch_retry-1');
    expect((await repo.listMessages(other, {})).items).toHaveLength(4);
  });

  it('returns the latest whole exchanges as history, oldest first', async () => {
    const t = thread();
    for (const n of [1, 2, 3]) await append(t, n);
    const recent = await repo.recentMessages(t, 10);
    // 10 messages fit two whole exchanges (8), never a partial one.
    expect(recent).toHaveLength(8);
    expect(recent[0]).toMatchObject({ role: 'user', content: 'question 2', position: 0 });
    expect(contents(recent)).toContain('result 3');
    expect(await repo.recentMessages(t, 3)).toEqual([]);
    expect(await repo.recentMessages(t, 100)).toHaveLength(12);
  });

  it('deletes a thread with its sub-threads, in its org only', async () => {
    const org = newOrg();
    const main = thread(org);
    await append(main, 1);
    await append({ ...main, subThreadId: 's' }, 2);
    expect(await repo.deleteThread(newOrg(), main.threadId)).toBe(0);
    expect(await repo.deleteThread(org, main.threadId)).toBe(8);
    expect((await repo.listMessages(main, {})).items).toEqual([]);
  });

  describe('through the service', () => {
    it('appends with a generated exchange id and answers history for the main line', async () => {
      const org = newOrg();
      const threadId = `t-${randomUUID()}`;
      const stored = await service.appendExchange(org, threadId, undefined, exchange(1));
      expect(stored[0].exchange_id).toMatch(/^xch_/);
      const history = await service.history(org, threadId);
      expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      expect(await service.history(org, threadId, 'other-sub')).toEqual([]);
    });

    it('answers 404 for the first page of a thread with no messages', async () => {
      await expect(service.listMessages(newOrg(), 'nope', undefined, {})).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
});
