import { maskKey } from './provider-key.types';

describe('maskKey', () => {
  it('shows the prefix and the last four characters only', () => {
    expect(maskKey('sk-proj-0123456789abcd')).toBe('sk-...abcd');
  });

  it('reveals nothing of a short key', () => {
    expect(maskKey('short-key')).toBe('****');
  });
});
