import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import type { ScanReport } from '../core/report.ts';
import { runScan } from '../core/scan.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { CollectionThreads, createThreadedCollector, MIN_TARGETS_FOR_THREADS, threadsFor } from './worker-pool.ts';

describe('threadsFor', () => {
  it('gives an explicit count, bounded by the accounts, and nothing below two', () => {
    expect(threadsFor(4, { targets: 3, accounts: 10 })).toBe(4);
    expect(threadsFor(4, { targets: 40, accounts: 3 })).toBe(3);
    expect(threadsFor(8, { targets: 40, accounts: 1 })).toBe(0);
    expect(threadsFor(1, { targets: 400, accounts: 80 })).toBe(0);
    expect(threadsFor(0, { targets: 400, accounts: 80 })).toBe(0);
  });
  it("'auto' keeps small plans in-process", () => {
    expect(threadsFor('auto', { targets: MIN_TARGETS_FOR_THREADS - 1, accounts: 10 })).toBe(0);
  });
});

/** What a scan found, without what differs from run to run (ids, times). */
function verdicts(r: ScanReport) {
  return {
    findings: r.findings.map((f) => ({ ...f, evaluatedAt: undefined })),
    targets: r.targets,
    errors: r.errors,
    summary: r.summary,
  };
}

describe('collection threads (sample fleet on the simulator)', () => {
  let sim: SimulatedCloud;
  let config: ScanConfig;
  const deps = () => ({
    aws: { endpoint: sim.aws.endpoint, credentials: sim.callerCredentials, homeRegion: 'us-east-1' },
  });
  const now = () => new Date('2026-12-05T12:00:00Z');

  beforeAll(async () => {
    sim = await startSimulatedCloud(await loadSampleFleet());
    config = parseConfig({
      aws: {
        roleName: sim.spec.readerRoleName,
        accounts: sim.spec.accounts.map((a) => ({ id: a.id })),
        maxAttempts: 2,
        retryBaseDelayMs: 5,
      },
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  async function scan(threads: number, pool?: CollectionThreads) {
    const collector = createThreadedCollector('aws', config, deps(), threads, pool);
    try {
      const report = await runScan({ collectors: [collector], checks, config, clock: now, scanId: 'x' });
      return { report, threads: collector.threads() };
    } finally {
      await collector.close();
    }
  }

  it('finds exactly what an in-process scan finds: every finding, gap, error and target', async () => {
    const inProcess = await scan(0);
    const threaded = await scan(2);
    expect(inProcess.threads).toBe(0);
    expect(threaded.threads).toBe(2);
    expect(inProcess.report.findings.length).toBeGreaterThan(50);
    expect(inProcess.report.errors.length).toBeGreaterThan(0); // the sample's denied account: errors cross too
    expect(verdicts(threaded.report)).toEqual(verdicts(inProcess.report));
  }, 60_000);

  it('threads shared by two scans are started once, and each scan gets its own collector on them', async () => {
    const pool = new CollectionThreads();
    try {
      const first = await scan(2, pool);
      const second = await scan(2, pool);
      expect(pool.started()).toBe(1); // the calling thread is the other lane
      expect(verdicts(second.report)).toEqual(verdicts(first.report));
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a thread that dies fails its targets with the reason, never a silent empty result', async () => {
    const collector = createThreadedCollector('aws', config, deps(), 2);
    let killed: Promise<void> | undefined;
    const report = await runScan({
      collectors: [collector],
      checks,
      config,
      clock: now,
      scanId: 'y',
      // Kill the threads once targets are handed out (the threads are still loading the SDK then).
      onProgress: (e) => {
        if (e.type === 'target-started') killed ??= new Promise((r) => setTimeout(r, 0)).then(() => collector.close());
      },
    });
    await killed;
    const threadErrors = report.errors.filter((e) => /collection thread exited/.test(e.message));
    expect(threadErrors.length).toBeGreaterThan(0);
    for (const e of threadErrors) {
      const t = report.targets.find((x) => x.accountId === e.accountId && x.region === e.region);
      expect(t?.status).toBe('failed');
    }
  }, 60_000);
});
