import { randomUUID } from 'node:crypto';
import { ConversationStore, ResponsesStore } from '../../src/modules/responses';
import { json, type Json } from '../support/json';
import { signToken, startTestApp, type TestApp } from '../support/test-app';

/**
 * The responses module wired into the real app: its services resolve (the MongoDB adapters
 * too, loaded on demand), and a conversation made through them is the thread the agent API's
 * messages endpoint lists. `env` names the stores (none = embedded PGlite).
 */
export function describeResponsesState(
  name: string,
  env: () => Record<string, string | undefined>,
): void {
  describe(name, () => {
    let t: TestApp;
    // Fresh per run: the real-server variants share their databases with other suites and runs.
    const orgId = `org-responses-state-${randomUUID()}`;
    const responseId = `resp_${randomUUID().replaceAll('-', '')}`;
    const token = signToken({ org_id: orgId, scopes: ['admin'] });
    const get = (path: string) =>
      fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

    beforeAll(async () => {
      t = await startTestApp(env());
    });
    afterAll(async () => {
      await t?.close();
    });

    it('shows a conversation’s items on GET /api/v1/threads/{id}/messages', async () => {
      const conversations = t.app.get(ConversationStore);
      const c = await conversations.create(orgId, {
        metadata: { topic: 'demo' },
        items: [{ role: 'user', content: 'hello' }],
      });
      await conversations.appendItems(orgId, c.id, [
        { role: 'user', content: 'again' },
        { role: 'assistant', content: 'hi', model: 'gpt-4o-mini', service: 'openai' },
      ]);
      const res = await get(`/api/v1/threads/${c.id}/messages`);
      expect(res.status).toBe(200);
      const page: Json = await json(res);
      expect(page.data.map((m: Json) => [m.role, m.content])).toEqual([
        ['user', 'hello'],
        ['user', 'again'],
        ['assistant', 'hi'],
      ]);
      const items = await conversations.listItems(orgId, c.id, { order: 'asc' });
      expect(items.items.map((m) => m.id)).toEqual(page.data.map((m: Json) => m.id));
    });

    it('stores and reads a response through the app’s store', async () => {
      const responses = t.app.get(ResponsesStore);
      const now = new Date();
      await responses.save({
        id: responseId,
        org_id: orgId,
        status: 'queued',
        body: { id: responseId, object: 'response', status: 'queued' },
        input_items: [],
        context: [],
        previous_response_id: null,
        conversation_id: null,
        background: true,
        request: { model: 'gpt-4o-mini' },
        created_at: now,
        updated_at: now,
      });
      const claimed = await responses.update(orgId, responseId, { status: 'in_progress' }, [
        'queued',
      ]);
      expect(claimed?.status).toBe('in_progress');
      expect((await responses.getOrThrow(orgId, responseId)).status).toBe('in_progress');
    });
  });
}
