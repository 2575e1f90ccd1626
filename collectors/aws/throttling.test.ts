import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import { Deadline } from '../../core/deadline.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { createAwsCollector } from './index.ts';

const ACCOUNT = '111111111111';
const CLUSTERS = 2;

/** One account, one region, two clusters: about 17 EKS calls, all on one bucket. */
const spec = parseFleetSpec({
  caller: { accountId: '999999999999' },
  accounts: [
    {
      id: ACCOUNT,
      enabledRegions: ['us-east-1'],
      clusters: Array.from({ length: CLUSTERS }, (_, i) => ({
        name: `c${i}`,
        region: 'us-east-1',
        nodegroups: [{ nodegroupName: 'ng' }],
        addons: [{ addonName: 'vpc-cni' }],
      })),
    },
  ],
});

/** EKS allows 8 calls/s with a burst of 1: far below what a target reads at once. */
const THROTTLE = { ratePerSecond: 8, burst: 1, services: ['eks'] };
let sim: SimulatedCloud;
/** The same target without the limiter: every call goes at once and bounces until its retries get through. */
let unpaced: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  sim = await startSimulatedCloud(spec, { throttle: THROTTLE });
  // Bouncing 17 calls off a bucket of 1 can take more than the default 8 attempts with 20 ms backoff steps: the
  // baseline gets the most attempts there are, so it is complete and only its throttled count is compared.
  unpaced = await collect({ enabled: false }, undefined, 20);
});
afterAll(() => sim?.close());

/** A target collected at full concurrency; counts of what the simulator answered to it. */
async function collect(rateLimits: Record<string, unknown>, deadline?: Deadline, maxAttempts?: number) {
  // The simulator's bucket refills between runs.
  await new Promise((r) => setTimeout(r, 300));
  const config = parseConfig({
    aws: {
      accounts: [{ id: ACCOUNT }],
      regions: ['us-east-1'],
      retryBaseDelayMs: 20,
      rateLimits,
      ...(maxAttempts ? { maxAttempts } : {}),
    },
    concurrency: { clustersPerTarget: 64 },
  });
  const collector = createAwsCollector(config, {
    endpoint: sim.aws.endpoint,
    credentials: sim.callerCredentials,
    homeRegion: 'us-east-1',
  });
  const first = sim.calls.length;
  const out = await collector.collect(
    { provider: 'aws', accountId: ACCOUNT, region: 'us-east-1' },
    deadline ? { deadline } : {},
  );
  const calls = sim.calls.slice(first);
  const throttled = calls.filter((c) => c.throttled).length;
  const answered = calls.filter((c) => c.service === 'eks' && !c.throttled).length;
  return { out, throttled, answered, stats: collector.rateLimitStats() };
}

function expectComplete(out: Awaited<ReturnType<typeof collect>>['out']) {
  expect(out.errors).toEqual([]);
  expect(out.snapshots).toHaveLength(CLUSTERS);
  // Throttling is never a gap while attempts remain: every cluster is read whole.
  for (const s of out.snapshots as EksClusterSnapshot[]) expect(s.gaps).toEqual([]);
}

describe('pacing against a throttling EKS', () => {
  it('paces instead of bouncing: far fewer throttled answers than without the limiter, and nothing lost', async () => {
    expectComplete(unpaced.out);
    // The limiter at the service's own rate, not probing above it.
    const paced = await collect({ increasePerSecond: 0, services: { eks: { initialRate: 8, burst: 1 } } });
    expectComplete(paced.out);
    expect(paced.answered).toBe(unpaced.answered);
    expect(unpaced.throttled).toBeGreaterThanOrEqual(10);
    expect(paced.throttled).toBeLessThanOrEqual(unpaced.throttled / 4);
    expect(paced.stats.throttles).toBe(paced.throttled);
  });

  it('learns a lower rate when it starts too high, and still reads everything', async () => {
    const learning = await collect({ services: { eks: { initialRate: 40, burst: 1 } } });
    expectComplete(learning.out);
    expect(learning.throttled).toBeGreaterThan(0);
    expect(learning.throttled).toBeLessThan(unpaced.throttled);
  });

  it('ends waits for a token at the target deadline: Timeout gaps, never a hang', async () => {
    // One call every 5 s after the first: the target's calls queue behind the limiter.
    const deadline = Deadline.after(800);
    const started = Date.now();
    const slow = await collect({ minRate: 0.2, services: { eks: { initialRate: 0.2, burst: 1 } } }, deadline);
    deadline.dispose();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(slow.out.errors).toEqual([]);
    expect(slow.out.snapshots).toHaveLength(CLUSTERS);
    // What was still waiting for a token when the deadline passed is a Timeout gap on every cluster.
    for (const s of slow.out.snapshots as EksClusterSnapshot[]) {
      expect(s.gaps).toContainEqual(expect.objectContaining({ code: 'Timeout' }));
    }
    const gaps = (slow.out.snapshots as EksClusterSnapshot[]).flatMap((s) => s.gaps);
    expect(gaps.filter((g) => g.need === 'eks:DescribeCluster' && g.code === 'Timeout').length).toBeGreaterThan(0);
  });
});
