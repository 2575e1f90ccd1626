import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { Deadline } from '../../core/deadline.ts';
import { collectPages, guardPages } from './pages.ts';
import { checkResponse, MalformedResponseError } from './response.ts';

async function* pagesOf<P>(pages: P[]) {
  for (const p of pages) yield p;
}

describe('checkResponse', () => {
  const schema = z.object({ accessEntries: z.array(z.string()) });

  it('returns the parsed body when the fields the API always returns are there', () => {
    expect(checkResponse('eks:ListAccessEntries', schema, { accessEntries: ['a'] })).toEqual({ accessEntries: ['a'] });
  });

  it('rejects an empty 200 body as malformed, naming the action and the missing field', () => {
    expect(() => checkResponse('eks:ListAccessEntries', schema, {})).toThrow(MalformedResponseError);
    expect(() => checkResponse('eks:ListAccessEntries', schema, {})).toThrow(/eks:ListAccessEntries.*accessEntries/);
    try {
      checkResponse('eks:ListAccessEntries', schema, undefined);
    } catch (e) {
      expect(e).toMatchObject({ code: 'Malformed', action: 'eks:ListAccessEntries' });
    }
  });
});

describe('guardPages', () => {
  const next = (p: unknown) => (p as { next?: string }).next;

  it('walks a walk that ends', async () => {
    const items = await collectPages(
      pagesOf([{ items: [1], next: 'a' }, { items: [2], next: 'b' }, { items: [3] }]),
      (p) => p.items,
      { action: 'x:List', nextToken: next },
    );
    expect(items).toEqual([1, 2, 3]);
  });

  it('stops on a token it has seen, A→A or A→B→A', async () => {
    for (const tokens of [
      ['a', 'a'],
      ['a', 'b', 'a'],
    ]) {
      async function* loop() {
        for (let i = 0; ; i++) yield { items: [i], next: tokens[i % tokens.length] };
      }
      await expect(collectPages(loop(), (p) => p.items, { action: 'x:List', nextToken: next })).rejects.toThrow(
        /x:List.*pagination did not terminate/,
      );
    }
  });

  it('stops beyond the page cap when every token is new', async () => {
    async function* fresh() {
      for (let i = 0; ; i++) yield { next: `t${i}` };
    }
    let n = 0;
    const walk = async () => {
      for await (const _ of guardPages(fresh(), { action: 'x:List', nextToken: next, maxPages: 5 })) n++;
    };
    await expect(walk()).rejects.toThrow(/more than 5 pages/);
    expect(n).toBe(5);
  });
});

describe('Deadline', () => {
  it('aborts its signal when it passes, with a Timeout error', async () => {
    vi.useFakeTimers();
    const d = Deadline.after(10_000);
    expect(d.expired).toBe(false);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(d.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    expect(d.signal.aborted).toBe(true);
    expect(d.expired).toBe(true);
    expect(() => d.check()).toThrow(/deadline/);
    expect(d.signal.reason).toMatchObject({ code: 'Timeout' });
  });

  it('keeps a reserve from a Lambda remaining time, but never less than the minimum', () => {
    let t = 0;
    const now = () => t;
    expect(Deadline.fromRemaining(60_000, 15_000, 1_000, now).remainingMs()).toBe(45_000);
    expect(Deadline.fromRemaining(5_000, 15_000, 1_000, now).remainingMs()).toBe(1_000);
    t = 2_000;
    expect(Deadline.none().expired).toBe(false);
  });
});
