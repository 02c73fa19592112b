import { SeenWindow } from './seen-window';

describe('SeenWindow', () => {
  it('reports each version of a record once and looks back from the newest stamp', () => {
    const w = new SeenWindow(10_000, 1_000);
    expect(w.since()).toEqual(new Date(9_000));
    expect(w.add('a', new Date(10_500))).toBe(true);
    expect(w.add('a', new Date(10_500))).toBe(false);
    expect(w.add('a', new Date(10_600))).toBe(true);
    expect(w.since()).toEqual(new Date(9_600));
    // A late write stamped before the newest one is still inside the lookback: found once.
    expect(w.add('b', new Date(9_700))).toBe(true);
    expect(w.add('b', new Date(9_700))).toBe(false);
  });

  it('forgets what can no longer come back from a query', () => {
    const w = new SeenWindow(0, 1_000);
    w.add('old', new Date(100));
    w.add('new', new Date(5_000));
    w.prune();
    expect(w.size).toBe(1);
  });
});
