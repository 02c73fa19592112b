import { memoryKeyv } from './cache.module';

describe('memoryKeyv', () => {
  it('gives back an equal copy, never the stored object itself', async () => {
    const kv = memoryKeyv();
    const answer = { content: ':starts with a colon', usage: { input_tokens: 3 }, produced: [] };
    await kv.set('k', answer);
    const first = await kv.get<typeof answer>('k');
    expect(first).toEqual(answer);
    expect(first).not.toBe(answer);
    first!.usage.input_tokens = 99;
    await expect(kv.get('k')).resolves.toEqual(answer);
  });

  it('keeps at most its bound of entries, dropping the oldest', async () => {
    const kv = memoryKeyv(2);
    await kv.set('a', 1);
    await kv.set('b', 2);
    await kv.set('c', 3);
    await expect(kv.get('a')).resolves.toBeUndefined();
    await expect(kv.get('c')).resolves.toBe(3);
  });
});
