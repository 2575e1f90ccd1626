import { describe, expect, it } from 'vitest';
import { Deadline } from '../../core/deadline.ts';
import { withDeadline } from './deadline.ts';

describe('withDeadline', () => {
  it('passes the abort signal to every call and refuses new calls once the deadline has passed', async () => {
    const seen: unknown[] = [];
    const client = { send: async (_c: unknown, o?: { abortSignal?: AbortSignal }) => seen.push(o?.abortSignal) };
    const deadline = Deadline.after(50);
    const bound = withDeadline(client, deadline);
    await bound.send({});
    expect(seen).toEqual([deadline.signal]);
    await new Promise((r) => setTimeout(r, 80));
    await expect(bound.send({})).rejects.toMatchObject({ code: 'Timeout' });
    expect(seen).toHaveLength(1);
  });

  it('leaves the shared client unbound: other targets use it with their own deadlines', async () => {
    const seen: unknown[] = [];
    const client = { send: async (_c: unknown, o?: { abortSignal?: AbortSignal }) => seen.push(o?.abortSignal) };
    const deadline = Deadline.after(10_000);
    const bound = withDeadline(client, deadline);
    await client.send({});
    await bound.send({});
    expect(seen).toEqual([undefined, deadline.signal]);
    expect(Object.getPrototypeOf(bound)).toBe(client);
    deadline.dispose();
  });

  it('ends dozens of calls in flight at once when the deadline passes', async () => {
    const deadline = Deadline.after(100);
    const client = withDeadline({ send: () => new Promise<never>(() => {}) }, deadline);
    const calls = Array.from({ length: 30 }, () => client.send().catch((e: unknown) => e));
    expect(await Promise.all(calls)).toEqual(calls.map(() => expect.objectContaining({ code: 'Timeout' })));
    deadline.dispose();
  });
});

describe('Deadline.race', () => {
  it('stops waiting at the deadline while the shared work goes on for others', async () => {
    let finish: (v: string) => void = () => {};
    const shared = new Promise<string>((r) => {
      finish = r;
    });
    const deadline = Deadline.after(30);
    await expect(deadline.race(shared)).rejects.toMatchObject({ code: 'Timeout' });
    finish('roles');
    expect(await Deadline.none().race(shared)).toBe('roles');
  });
});
