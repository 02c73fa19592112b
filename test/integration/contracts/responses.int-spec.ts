import { randomUUID } from 'node:crypto';
import type { ConversationMessageInput } from '../../../src/modules/conversations/conversation.types';
import { ConversationsRepository } from '../../../src/modules/conversations/conversations.repository';
import { ConversationsService } from '../../../src/modules/conversations/conversations.service';
import { MongoConversationsRepository } from '../../../src/modules/conversations/mongo/mongo-conversations.repository';
import { PostgresConversationsRepository } from '../../../src/modules/conversations/postgres/postgres-conversations.repository';
import { ConversationRecordsRepository } from '../../../src/modules/responses/conversation-records.repository';
import { ConversationStore } from '../../../src/modules/responses/conversation-store.service';
import { MongoConversationRecordsRepository } from '../../../src/modules/responses/mongo/mongo-conversation-records.repository';
import { MongoResponsesRepository } from '../../../src/modules/responses/mongo/mongo-responses.repository';
import { PostgresConversationRecordsRepository } from '../../../src/modules/responses/postgres/postgres-conversation-records.repository';
import { PostgresResponsesRepository } from '../../../src/modules/responses/postgres/postgres-responses.repository';
import type {
  ResponseStatus,
  StoredResponse,
} from '../../../src/modules/responses/response-record';
import { ResponsesRepository } from '../../../src/modules/responses/responses.repository';
import { ResponsesStore } from '../../../src/modules/responses/responses.service';
import { adapterFor, describeEachBackend, newOrg } from './backends';

/** A stored response with every field set, JSON that a document store must escape included. */
function response(orgId: string, status: ResponseStatus = 'queued'): StoredResponse {
  const id = `resp_${randomUUID().replaceAll('-', '')}`;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7));
  return {
    id,
    org_id: orgId,
    status,
    body: {
      id,
      object: 'response',
      status,
      metadata: { 'a.b': 'dotted key' },
      text: { format: { type: 'json_schema', schema: { $ref: '#/$defs/x', $defs: { x: {} } } } },
      output: [],
    },
    input_items: [{ type: 'message', role: 'user', content: 'hello' }],
    context: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'hi' },
    ],
    previous_response_id: 'resp_previous',
    conversation_id: null,
    background: true,
    request: { model: 'gpt-4o-mini', input: 'hello' },
    created_at: at,
    updated_at: at,
  };
}

/** A user turn with its answer, as the pipeline stores it. */
const turn = (n: number): ConversationMessageInput[] => [
  { role: 'user', content: `question ${n}` },
  { role: 'assistant', content: `answer ${n}`, model: 'gpt-4o-mini', service: 'openai' },
];

describeEachBackend('Responses state contract', (backend) => {
  let responses: ResponsesStore;
  let threads: ConversationsService;
  let conversations: ConversationStore;
  beforeAll(() => {
    const b = backend();
    responses = new ResponsesStore(
      adapterFor(ResponsesRepository, b, MongoResponsesRepository, PostgresResponsesRepository),
    );
    threads = new ConversationsService(
      adapterFor(
        ConversationsRepository,
        b,
        MongoConversationsRepository,
        PostgresConversationsRepository,
      ),
    );
    conversations = new ConversationStore(
      adapterFor(
        ConversationRecordsRepository,
        b,
        MongoConversationRecordsRepository,
        PostgresConversationRecordsRepository,
      ),
      threads,
    );
  });

  describe('responses', () => {
    it('stores a response and reads every field back, in its org only', async () => {
      const org = newOrg();
      const r = response(org);
      await responses.save(r);
      expect(await responses.get(org, r.id)).toEqual(r);
      expect(await responses.get(newOrg(), r.id)).toBeNull();
      await expect(responses.getOrThrow(newOrg(), r.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Response ${r.id} not found`,
      });
    });

    it('rejects an id the org holds with 409, before and after updates, not after a delete', async () => {
      const org = newOrg();
      const r = response(org);
      await responses.save(r);
      const conflict = { code: 'CONFLICT', message: `Response ${r.id} already exists` };
      await expect(responses.save(r)).rejects.toMatchObject(conflict);
      await responses.update(org, r.id, { status: 'in_progress' });
      await expect(responses.save(r)).rejects.toMatchObject(conflict);
      expect((await responses.get(org, r.id))?.status).toBe('in_progress');
      // The same id in another org is another response.
      await responses.save({ ...r, org_id: newOrg() });
      expect(await responses.delete(org, r.id)).toBe(true);
      await responses.save({ ...r, status: 'completed' });
      expect((await responses.get(org, r.id))?.status).toBe('completed');
    });

    it('replaces model output holding NUL instead of failing the write', async () => {
      const org = newOrg();
      const r = response(org);
      await responses.save(r);
      const updated = await responses.update(org, r.id, { body: { output_text: 'a\u0000b' } });
      expect(updated?.body).toEqual({ output_text: 'a\ufffdb' });
      expect((await responses.get(org, r.id))?.body).toEqual({ output_text: 'a\ufffdb' });
    });

    it('updates only the patched fields, and nothing in another org', async () => {
      const org = newOrg();
      const r = response(org, 'in_progress');
      await responses.save(r);
      const body = { id: r.id, status: 'completed', output: [{ type: 'message' }] };
      const context = [...r.context, { role: 'user' as const, content: 'more' }];
      expect(await responses.update(newOrg(), r.id, { status: 'completed' })).toBeNull();
      const updated = await responses.update(org, r.id, { status: 'completed', body, context });
      expect(updated).toMatchObject({
        status: 'completed',
        body,
        context,
        input_items: r.input_items,
      });
      expect(updated!.updated_at.getTime()).toBeGreaterThan(r.updated_at.getTime());
      const read = await responses.get(org, r.id);
      expect(read).toEqual({
        ...r,
        status: 'completed',
        body,
        context,
        updated_at: read!.updated_at,
      });
      expect(await responses.update(org, 'resp_missing', { status: 'failed' })).toBeNull();
    });

    it('refuses a conditional update when the status is not one of those given', async () => {
      const org = newOrg();
      const r = response(org, 'completed');
      await responses.save(r);
      const cancel = await responses.update(org, r.id, { status: 'cancelled' }, [
        'queued',
        'in_progress',
      ]);
      expect(cancel).toBeNull();
      expect((await responses.get(org, r.id))?.status).toBe('completed');
      expect(await responses.update(org, r.id, { status: 'failed' }, [])).toBeNull();
    });

    it('lets exactly one of concurrent claims of a queued response win', async () => {
      const org = newOrg();
      for (let round = 0; round < 5; round++) {
        const r = response(org, 'queued');
        await responses.save(r);
        const claims = await Promise.all(
          [1, 2, 3].map((worker) =>
            responses.update(org, r.id, { status: 'in_progress', body: { worker } }, ['queued']),
          ),
        );
        const winners = claims.filter((c) => c !== null);
        expect(winners).toHaveLength(1);
        const stored = await responses.get(org, r.id);
        expect(stored).toMatchObject({ status: 'in_progress', body: winners[0].body });
      }
    });

    it('lets a cancel and a completion race with one outcome, the winner’s', async () => {
      const org = newOrg();
      const r = response(org, 'in_progress');
      await responses.save(r);
      const [cancel, complete] = await Promise.all([
        responses.update(org, r.id, { status: 'cancelled' }, ['queued', 'in_progress']),
        responses.update(org, r.id, { status: 'completed' }, ['in_progress']),
      ]);
      expect([cancel, complete].filter((x) => x !== null)).toHaveLength(1);
      const winner = (cancel ?? complete)!;
      expect((await responses.get(org, r.id))?.status).toBe(winner.status);
    });

    it('deletes in its org only, after which nothing brings it back', async () => {
      const org = newOrg();
      const r = response(org);
      await responses.save(r);
      expect(await responses.delete(newOrg(), r.id)).toBe(false);
      expect(await responses.get(org, r.id)).not.toBeNull();
      expect(await responses.delete(org, r.id)).toBe(true);
      expect(await responses.delete(org, r.id)).toBe(false);
      expect(await responses.get(org, r.id)).toBeNull();
      expect(await responses.update(org, r.id, { status: 'completed' })).toBeNull();
      expect(await responses.get(org, r.id)).toBeNull();
    });

    it('treats an id no record can have as missing, without asking the store', async () => {
      const org = newOrg();
      expect(await responses.get(org, 'bad\u0000id')).toBeNull();
      expect(await responses.delete(org, 'bad id')).toBe(false);
      await expect(responses.getOrThrow(org, 'bad\u0000id')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'Response not found',
      });
    });
  });

  describe('conversations (threads)', () => {
    it('creates a conversation whose items the thread API lists', async () => {
      const org = newOrg();
      const c = await conversations.create(org, {
        metadata: { topic: 'demo', 'dotted.key': 'kept' },
        items: turn(1),
      });
      expect(c.id).toMatch(/^conv_[A-Za-z0-9_-]{22}$/);
      expect(await conversations.get(org, c.id)).toEqual(c);
      const page = await threads.listMessages(org, c.id, null, {});
      expect(page.items.map((m) => m.content)).toEqual(['question 1', 'answer 1']);
      expect(page.items.every((m) => m.exchange_id === page.items[0].exchange_id)).toBe(true);
      const items = await conversations.listItems(org, c.id, { order: 'asc' });
      expect(items.items).toEqual(page.items);
    });

    it('creates an empty conversation that exists without any thread message', async () => {
      const org = newOrg();
      const c = await conversations.create(org, {});
      expect(c.metadata).toEqual({});
      expect(await conversations.get(org, c.id)).toEqual(c);
      expect(await conversations.listItems(org, c.id)).toEqual({
        items: [],
        first_id: null,
        last_id: null,
        has_more: false,
      });
    });

    it('sees a thread the agent API made as a conversation, and gives it metadata', async () => {
      const org = newOrg();
      const threadId = `t-${randomUUID()}`;
      const stored = await threads.appendExchange(org, threadId, null, turn(1));
      expect(await conversations.get(org, threadId)).toEqual({
        id: threadId,
        org_id: org,
        metadata: {},
        created_at: stored[0].created_at,
      });
      const updated = await conversations.updateMetadata(org, threadId, { k: 'v' });
      expect(updated).toEqual({
        id: threadId,
        org_id: org,
        metadata: { k: 'v' },
        created_at: stored[0].created_at,
      });
      expect((await conversations.updateMetadata(org, threadId, {})).metadata).toEqual({});
      expect(await conversations.get(newOrg(), threadId)).toBeNull();
      await expect(conversations.updateMetadata(newOrg(), threadId, {})).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('deletes the record and the thread, and answers 404 when neither exists', async () => {
      const org = newOrg();
      const c = await conversations.create(org, { items: turn(1) });
      await expect(conversations.delete(newOrg(), c.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await conversations.delete(org, c.id);
      expect(await conversations.get(org, c.id)).toBeNull();
      await expect(threads.listMessages(org, c.id, null, {})).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(conversations.delete(org, c.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: `Conversation ${c.id} not found`,
      });
      // Deleting the thread through the agent API deletes the conversation too.
      const viaThreads = await conversations.create(org, { metadata: { a: 'b' }, items: turn(1) });
      await threads.deleteThread(org, viaThreads.id);
      expect(await conversations.get(org, viaThreads.id)).toBeNull();
      // A thread with no record is deleted as well.
      const threadId = `t-${randomUUID()}`;
      await threads.appendExchange(org, threadId, null, turn(1));
      await conversations.delete(org, threadId);
      expect(await conversations.get(org, threadId)).toBeNull();
    });

    it('appends items as one exchange, to an existing conversation only', async () => {
      const org = newOrg();
      const c = await conversations.create(org, { items: turn(1) });
      const added = await conversations.appendItems(org, c.id, turn(2));
      expect(added.map((m) => m.position)).toEqual([0, 1]);
      const history = await threads.history(org, c.id);
      expect(history.map((m) => m.content)).toEqual([
        'question 1',
        'answer 1',
        'question 2',
        'answer 2',
      ]);
      await expect(conversations.appendItems(org, 'conv_missing', turn(3))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('pages items in both orders after a given item', async () => {
      const org = newOrg();
      const c = await conversations.create(org, { items: turn(1) });
      for (const n of [2, 3]) await conversations.appendItems(org, c.id, turn(n));
      const all = (await threads.listMessages(org, c.id, null, {})).items.map((m) => m.id);
      expect(all).toHaveLength(6);

      const walk = async (order: 'asc' | 'desc') => {
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await conversations.listItems(org, c.id, { limit: 4, after, order });
          expect(page.items.length).toBeLessThanOrEqual(4);
          seen.push(...page.items.map((m) => m.id));
          expect(page.last_id).toBe(seen[seen.length - 1] ?? null);
          if (!page.has_more) return seen;
          after = page.last_id!;
        }
      };
      expect(await walk('asc')).toEqual(all);
      expect(await walk('desc')).toEqual([...all].reverse());
      const newest = await conversations.listItems(org, c.id, { limit: 1 });
      expect(newest).toEqual(
        expect.objectContaining({ first_id: all[5], last_id: all[5], has_more: true }),
      );
      expect(await conversations.getItem(org, c.id, all[2])).toMatchObject({
        id: all[2],
        content: 'question 2',
      });
      await expect(conversations.getItem(org, c.id, 'xch_nope:0')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        conversations.listItems(org, c.id, { after: 'bad\u0000:0' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', param: 'after' });
      await expect(
        conversations.listItems(org, c.id, { after: 'xch_nope:0' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', param: 'after' });
      await expect(conversations.listItems(newOrg(), c.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });
});
