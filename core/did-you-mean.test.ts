import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './did-you-mean.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['roleNmae', 'roleName', 1], // a swap is one slip
    ['LOGGNG', 'LOGGING', 1],
    ['same', 'same', 0],
  ])('%s → %s: %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stops early past the bound', () => {
    expect(editDistance('a'.repeat(50), 'b'.repeat(50), 2)).toBe(3);
    expect(editDistance('short', 'a much longer string', 2)).toBe(3);
  });
});

describe('closest / didYouMean', () => {
  const keys = ['regions', 'roleName', 'roleSessionName', 'accounts', 'organization'];
  it('finds a close key, ignoring case', () => {
    expect(closest('region', keys)).toBe('regions');
    expect(closest('rolename', keys)).toBe('roleName');
    expect(didYouMean('acounts', keys)).toBe(' (did you mean accounts?)');
  });

  it('suggests nothing for a distant word or a very short one', () => {
    expect(closest('timeout', keys)).toBeUndefined();
    expect(didYouMean('x', keys)).toBe('');
  });
});
