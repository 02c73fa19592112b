import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps FIFO order across wrap-around', () => {
    const rb = new RingBuffer<number>(3);
    rb.push(1);
    rb.push(2);
    expect(rb.shiftMany(1)).toEqual([1]);
    rb.push(3);
    rb.push(4);
    expect(rb.isFull).toBe(true);
    expect(rb.push(5)).toBe(false);
    expect(rb.toArray()).toEqual([2, 3, 4]);
    expect(rb.shiftMany(10)).toEqual([2, 3, 4]);
    expect(rb.length).toBe(0);
  });

  it('drops the oldest items', () => {
    const rb = new RingBuffer<number>(3);
    [1, 2, 3].forEach((n) => rb.push(n));
    expect(rb.dropOldest()).toBe(1);
    rb.push(4);
    expect(rb.toArray()).toEqual([2, 3, 4]);
    expect(rb.dropOldest(5)).toBe(3);
    expect(rb.length).toBe(0);
  });

  it('puts items back at the front in order, leaving out the oldest that do not fit', () => {
    const rb = new RingBuffer<number>(4);
    rb.push(10);
    rb.push(11);
    const taken = rb.shiftMany(2);
    rb.push(12);
    expect(rb.unshiftMany(taken)).toBe(0);
    expect(rb.toArray()).toEqual([10, 11, 12]);

    rb.push(13);
    expect(rb.unshiftMany([7, 8, 9])).toBe(3);
    expect(rb.toArray()).toEqual([10, 11, 12, 13]);

    rb.shiftMany(2);
    expect(rb.unshiftMany([7, 8, 9])).toBe(1);
    expect(rb.toArray()).toEqual([8, 9, 12, 13]);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
