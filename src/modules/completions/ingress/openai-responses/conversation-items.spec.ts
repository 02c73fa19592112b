import type { ConversationMessage } from '../../../conversations';
import { asItems, messageIdOf } from './conversation-items';
import { pageOfItems } from './item-pages';

const stored = (position: number, m: Partial<ConversationMessage>): ConversationMessage => ({
  id: `xch_A-b_c:${position}`,
  org_id: 'o',
  thread_id: 't',
  sub_thread_id: null,
  exchange_id: 'xch_A-b_c',
  position,
  role: 'user',
  content: '',
  tool_calls: null,
  tool_call_id: null,
  name: null,
  model: null,
  service: null,
  usage: null,
  created_at: new Date(0),
  ...m,
});

describe('conversation items from thread messages', () => {
  const messages = [
    stored(0, { role: 'user', content: 'weather?' }),
    stored(1, {
      role: 'assistant',
      content: 'Looking',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'w', arguments: '{}' } },
        { id: 'call_2', type: 'function', function: { name: 'w', arguments: '{"a":1}' } },
      ],
    }),
    stored(2, { role: 'tool', content: '18C', tool_call_id: 'call_1' }),
  ];

  it('gives every item an id that leads back to its message', () => {
    const items = asItems(messages);
    expect(items.map((i) => [i.type, i.id])).toEqual([
      ['message', 'msg_xch_A-b_c:0'],
      ['message', 'msg_xch_A-b_c:1'],
      ['function_call', 'fc_xch_A-b_c:1.1'],
      ['function_call', 'fc_xch_A-b_c:1.2'],
      ['function_call_output', 'fco_xch_A-b_c:2'],
    ]);
    for (const i of items) expect(messages.map((m) => m.id)).toContain(messageIdOf(i.id));
  });

  it('is stable: listing the same messages twice gives the same ids', () => {
    expect(asItems(messages)).toEqual(asItems(messages));
  });

  it('leaves an id it cannot parse as it is (the store answers 404 for it)', () => {
    expect(messageIdOf('nonsense')).toBe('nonsense');
    expect(messageIdOf('msg_no-position')).toBe('msg_no-position');
  });
});

describe('pageOfItems', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));

  it('pages newest first by default, with OpenAI list fields', () => {
    expect(pageOfItems(items, { limit: 2 })).toEqual({
      object: 'list',
      data: [{ id: 'e' }, { id: 'd' }],
      first_id: 'e',
      last_id: 'd',
      has_more: true,
    });
  });

  it('resumes after an item, in ascending order too', () => {
    const page = pageOfItems(items, { order: 'asc', after: 'c', limit: 5 });
    expect(page.data).toEqual([{ id: 'd' }, { id: 'e' }]);
    expect(page.has_more).toBe(false);
  });

  it('answers an empty page with null ends', () => {
    expect(pageOfItems([], {})).toMatchObject({ data: [], first_id: null, last_id: null });
  });

  it('refuses an unknown cursor with a 400 naming `after`', () => {
    expect(() => pageOfItems(items, { after: 'zz' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });
});
