import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from './deadline.ts';
import { DEADLINE_GRACE_MS, scanTarget } from './scan.ts';
import type { Collector, Target } from './target.ts';

const target: Target = { provider: 'aws', accountId: '111111111111', region: 'eu-west-1' };
const ctx = { now: new Date('2026-12-01T00:00:00Z'), settings: {} as never };

afterEach(() => vi.useRealTimers());

describe('scanTarget deadline', () => {
  it('gives the collector the deadline', async () => {
    const seen: unknown[] = [];
    const collector: Collector = {
      provider: 'aws',
      plan: async () => ({ targets: [], errors: [] }),
      collect: async (t, o) => {
        seen.push(o?.deadline);
        return { target: t, snapshots: [], errors: [] };
      },
    };
    const deadline = Deadline.after(60_000);
    await scanTarget(collector, target, [], ctx, deadline);
    expect(seen).toEqual([deadline]);
    deadline.dispose();
  });

  it('gives up a collector that ignores its deadline, as a Timeout error for the target, never a hang', async () => {
    vi.useFakeTimers();
    const hung: Collector = {
      provider: 'aws',
      plan: async () => ({ targets: [], errors: [] }),
      collect: () => new Promise(() => {}),
    };
    const deadline = Deadline.after(1_000);
    const result = scanTarget(hung, target, [], ctx, deadline);
    await vi.advanceTimersByTimeAsync(1_000 + DEADLINE_GRACE_MS + 1);
    const r = await result;
    expect(r.summary.status).toBe('failed');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'Timeout', stage: 'collect' })]);
    expect(r.findings).toEqual([]);
  });
});
