import {
  newestWholeExchanges,
  toChatMessage,
  toStoredMessage,
  type ConversationMessage,
  type ConversationMessageInput,
} from './conversation.types';

const scope = { org_id: 'o', thread_id: 't', sub_thread_id: null };
const msgs = (exchangeId: string, inputs: ConversationMessageInput[]): ConversationMessage[] =>
  inputs.map((m, i) => toStoredMessage(scope, { exchangeId, createdAt: new Date(0) }, m, i));

describe('newestWholeExchanges', () => {
  const x1 = msgs('x1', [
    { role: 'user', content: 'q1' },
    { role: 'assistant', content: 'a1' },
  ]);
  const x2 = msgs('x2', [
    { role: 'user', content: 'q2' },
    { role: 'assistant', content: null, tool_calls: [] },
    { role: 'tool', content: 'r', tool_call_id: 'c' },
  ]);

  it('keeps the newest exchanges that fit, whole', () => {
    expect(newestWholeExchanges([...x1, ...x2], 4)).toEqual(x2);
    expect(newestWholeExchanges([...x1, ...x2], 5)).toEqual([...x1, ...x2]);
  });

  it('drops an exchange cut at its start by a limit upstream', () => {
    expect(newestWholeExchanges([...x1.slice(1), ...x2], 10)).toEqual(x2);
  });
});

describe('toChatMessage', () => {
  it('maps stored messages to the provider-neutral shape', () => {
    const [user, assistant, tool] = msgs('x', [
      { role: 'user', content: 'hi', name: 'ada' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', content: 'done', tool_call_id: 'c1' },
    ]);
    expect(toChatMessage(user)).toEqual({ role: 'user', content: 'hi', name: 'ada' });
    expect(toChatMessage(assistant)).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    });
    expect(toChatMessage(tool)).toEqual({ role: 'tool', content: 'done', tool_call_id: 'c1' });
  });
});
