import { describe, expect, it } from 'vitest';
import { SharedAcrossAccounts } from './references.ts';

describe('SharedAcrossAccounts', () => {
  it('loads a key once for every account while the first read succeeds', async () => {
    const shared = new SharedAcrossAccounts<string>();
    let loads = 0;
    const load = async () => `v${++loads}`;
    const got = await Promise.all(['a', 'b', 'a', 'c'].map((account) => shared.get('us-east-1', account, load)));
    expect(got).toEqual(['v1', 'v1', 'v1', 'v1']);
    expect(loads).toBe(1);
  });

  it('keeps a failure with the account that got it, and lets the next account read with its own credentials', async () => {
    const shared = new SharedAcrossAccounts<string>();
    const denied = shared.get('us-east-1', 'a', async () => Promise.reject(new Error('AccessDenied')));
    const other = shared.get('us-east-1', 'b', async () => 'from b');
    await expect(denied).rejects.toThrow('AccessDenied');
    await expect(other).resolves.toBe('from b');
    // a's own answer stays its failure (no retry storm); a third account reuses b's success.
    await expect(shared.get('us-east-1', 'a', async () => 'retry')).rejects.toThrow('AccessDenied');
    await expect(shared.get('us-east-1', 'c', async () => 'never')).resolves.toBe('from b');
  });
});
