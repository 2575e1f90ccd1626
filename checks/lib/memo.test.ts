import { describe, expect, it } from 'vitest';
import { compareNumeric, memoize, memoizeByObject } from './memo.ts';

describe('memoize', () => {
  it('computes each key once and returns the same value after', () => {
    let calls = 0;
    const parts = memoize((v: string) => {
      calls++;
      return v.split('.').map(Number);
    });
    expect(parts('1.31')).toEqual([1, 31]);
    expect(parts('1.31')).toBe(parts('1.31'));
    expect(parts('1.32')).toEqual([1, 32]);
    expect(calls).toBe(2);
  });

  it('remembers undefined results too', () => {
    let calls = 0;
    const f = memoize((_: string) => {
      calls++;
      return undefined;
    });
    f('x');
    f('x');
    expect(calls).toBe(1);
  });

  it('stays within its limit by starting over, still answering correctly', () => {
    let calls = 0;
    const double = memoize((n: number) => {
      calls++;
      return n * 2;
    }, 3);
    for (const n of [1, 2, 3, 4, 1]) expect(double(n)).toBe(n * 2);
    // 1, 2, 3 cached; 4 clears the cache; 1 is computed again.
    expect(calls).toBe(5);
  });

  it('does not cache a call that throws', () => {
    let calls = 0;
    const f = memoize((s: string) => {
      calls++;
      if (s === 'bad') throw new RangeError('bad');
      return s;
    });
    expect(() => f('bad')).toThrow(RangeError);
    expect(() => f('bad')).toThrow(RangeError);
    expect(calls).toBe(2);
  });
});

describe('memoizeByObject', () => {
  it('computes once per object, by identity', () => {
    let calls = 0;
    const size = memoizeByObject((o: { items: number[] }) => {
      calls++;
      return o.items.length;
    });
    const a = { items: [1, 2] };
    expect(size(a)).toBe(2);
    expect(size(a)).toBe(2);
    expect(size({ items: [1, 2] })).toBe(2);
    expect(calls).toBe(2);
  });
});

describe('compareNumeric', () => {
  it('orders version texts as localeCompare with numeric collation does', () => {
    const versions = ['1.10.2', '1.9.11', '1.29.0-gke.1', '1.29.10-gke.2', '1.29.9-gke.100', '1.30', '1.3', 'v1.2'];
    const reference = [...versions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    expect([...versions].sort(compareNumeric)).toEqual(reference);
    expect(reference.slice(0, 3)).toEqual(['1.3', '1.9.11', '1.10.2']);
  });
});
