import { periodWindow, secondsUntilReset } from './budget-periods';

describe('budget periods (UTC calendar)', () => {
  it('cuts days at 00:00 UTC', () => {
    const now = Date.UTC(2026, 11, 4, 18, 30);
    const w = periodWindow('day', now);
    expect(w).toEqual({
      period: 'day',
      label: '2026-12-04',
      startMs: Date.UTC(2026, 11, 4),
      endMs: Date.UTC(2026, 11, 5),
    });
    expect(secondsUntilReset(w, now)).toBe(5.5 * 3600);
  });

  it('gives months their real length, leap February and year end included', () => {
    expect(periodWindow('month', Date.UTC(2028, 1, 29, 23, 59))).toMatchObject({
      label: '2028-02',
      startMs: Date.UTC(2028, 1, 1),
      endMs: Date.UTC(2028, 2, 1),
    });
    expect(periodWindow('month', Date.UTC(2026, 11, 31, 23, 59, 59))).toMatchObject({
      label: '2026-12',
      endMs: Date.UTC(2027, 0, 1),
    });
  });

  it('never asks to retry in less than a second', () => {
    const w = periodWindow('day', Date.UTC(2026, 0, 1));
    expect(secondsUntilReset(w, w.endMs - 1)).toBe(1);
  });
});
