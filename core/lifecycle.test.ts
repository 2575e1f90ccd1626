import { describe, expect, it } from 'vitest';
import { ACCOUNT, aFinding, aReport, clusterArn } from '../test/findings.ts';
import type { ResultStatus } from './check.ts';
import type { Finding } from './finding.ts';
import { alertable, coverageOf, type FindingState, reconcile } from './lifecycle.ts';
import type { ScanReport, TargetSummary } from './report.ts';
import { parseSuppressions } from './suppressions.ts';
import type { TargetError } from './target.ts';

const now = new Date('2026-06-01T12:00:00Z');

/** Runs scans in sequence, threading the state through, and returns each result. */
function scans(...reports: ScanReport[]) {
  let state: FindingState[] = [];
  return reports.map((r) => {
    const result = reconcile(state, r, { now });
    state = result.nextState;
    return result;
  });
}

const stateOf = (f: Finding) => (r: { report: ScanReport }) => r.report.findings.find((x) => x.id === f.id)?.lifecycle;

describe('reconcile: the finding lifecycle', () => {
  const fail = aFinding();
  const pass = { ...fail, status: 'PASS' as ResultStatus, message: 'endpoint is private' };

  it('labels a first FAIL new, the next one persisting, a PASS after it resolved, and a FAIL after that regressed', () => {
    const results = scans(aReport([fail]), aReport([fail]), aReport([pass]), aReport([fail]));
    expect(results.map((r) => stateOf(fail)(r)?.state)).toEqual(['new', 'persisting', 'resolved', 'regressed']);
    expect(results.map((r) => r.delta.counts.new)).toEqual([1, 0, 0, 0]);
    expect(results[3]!.delta.counts.regressed).toBe(1);
    expect(results[2]!.delta.resolved.map((r) => r.id)).toEqual([fail.id]);
    const final = results[3]!.nextState[0]!;
    expect(final.firstSeen).toBe(results[0]!.report.scan.startedAt);
    expect(final.history.map((h) => h.change)).toEqual(['opened', 'resolved', 'regressed']);
  });

  it('leaves never-failed results without a lifecycle and keeps them out of state', () => {
    const [r] = scans(aReport([pass]));
    expect(r!.report.findings[0]!.lifecycle).toBeUndefined();
    expect(r!.nextState).toEqual([]);
  });

  it('bumps the version only of records that changed, and names the previous scan', () => {
    const [a, b] = scans(aReport([fail]), aReport([fail]));
    expect(a!.changed.map((s) => s.version)).toEqual([1]);
    expect(b!.changed.map((s) => s.version)).toEqual([2]); // lastSeen moved
    expect(b!.delta.previousScanId).toBe(a!.report.scan.id);
  });

  it('keeps a FAIL open and stale, never resolved, when the check now returns ERROR', () => {
    const error = {
      ...fail,
      status: 'ERROR' as ResultStatus,
      message: 'Could not collect (eks:DescribeCluster: Throttled)',
    };
    const [, b, c] = scans(aReport([fail]), aReport([error]), aReport([fail]));
    expect(stateOf(fail)(b!)).toMatchObject({
      state: 'persisting',
      stale: { reason: expect.stringMatching(/Throttled/) },
    });
    expect(b!.delta.counts).toMatchObject({ stale: 1, resolved: 0, open: 1 });
    expect(b!.nextState[0]!.status).toBe('open');
    expect(stateOf(fail)(c!)).toEqual(expect.objectContaining({ state: 'persisting' }));
    expect(c!.nextState[0]!.stale).toBeUndefined();
  });

  it('keeps resource-level findings of a check open when the check errors on their cluster', () => {
    const ng = aFinding({ checkId: 'EKS.NODES.1', resourceId: `${clusterArn('prod')}/nodegroup/general` });
    const clusterError = aFinding({
      checkId: 'EKS.NODES.1',
      status: 'ERROR',
      message: 'eks:ListNodegroups: AccessDenied',
    });
    const [, b] = scans(aReport([ng]), aReport([clusterError]));
    expect(b!.delta.stale.map((s) => [s.id, s.reason])).toEqual([[ng.id, expect.stringMatching(/AccessDenied/)]]);
  });

  it('keeps findings of an account that could not be assumed open and stale, with the reason', () => {
    const denied: TargetError = {
      provider: 'aws',
      accountId: ACCOUNT,
      region: '*',
      stage: 'assume-role',
      code: 'AccessDenied',
      message: 'not authorized',
    };
    const [, b] = scans(
      aReport([fail]),
      aReport([], {
        targets: [{ provider: 'aws', accountId: ACCOUNT, region: '*', status: 'failed', clusters: 0 }],
        errors: [denied],
      }),
    );
    expect(b!.delta.counts).toMatchObject({ stale: 1, resolved: 0, open: 1 });
    expect(b!.delta.stale[0]!.reason).toMatch(/account not scanned: assume-role failed \(AccessDenied\)/);
  });

  it('keeps findings stale when their region was not in this scan', () => {
    const [, b] = scans(
      aReport([fail]),
      aReport([], {
        targets: [{ provider: 'aws', accountId: ACCOUNT, region: 'eu-west-1', status: 'scanned', clusters: 0 }],
      }),
    );
    expect(b!.delta.stale[0]!.reason).toBe('target not in this scan');
  });

  it('resolves findings of a cluster that is gone from a fully listed target', () => {
    const [, b] = scans(aReport([fail]), aReport([]));
    expect(b!.delta.resolved).toEqual([expect.objectContaining({ id: fail.id, reason: 'cluster no longer exists' })]);
  });

  it('keeps a finding stale when its check did not run on a seen cluster', () => {
    const other = aFinding({ checkId: 'EKS.LOGGING.1', status: 'PASS' });
    const [, b] = scans(aReport([fail]), aReport([other]));
    expect(b!.delta.stale[0]!.reason).toMatch(/check did not run/);
  });

  it('keeps the first stale reason and time across scans, and writes nothing new for a still-stale record', () => {
    const error = { ...fail, status: 'ERROR' as ResultStatus, message: 'Throttled' };
    const [, b, c] = scans(aReport([fail]), aReport([error]), aReport([error]));
    expect(c!.nextState[0]!.stale).toEqual(b!.nextState[0]!.stale);
    expect(c!.changed).toEqual([]);
  });
});

describe('reconcile: suppressions', () => {
  const fail = aFinding();
  const suppressions = (expires: string) =>
    parseSuppressions({
      suppressions: [
        { check: 'EKS.ENDPOINT.*', resource: '*:cluster/prod', reason: 'behind a WAF', owner: 'sec', expires },
      ],
    });

  it('marks a matching FAIL suppressed: counted, shown, not alerted', () => {
    const r = reconcile([], aReport([fail]), { now, suppressions: suppressions('2026-12-31') });
    expect(r.report.findings[0]!.lifecycle).toMatchObject({ state: 'new', suppressed: { reason: 'behind a WAF' } });
    expect(r.delta.counts).toMatchObject({ new: 0, suppressed: 1, open: 1 });
    expect(alertable(r.report.findings)).toEqual([]);
  });

  it('brings the finding back as regressed when the suppression expires', () => {
    const first = reconcile([], aReport([fail]), { now, suppressions: suppressions('2026-06-01') });
    const later = new Date('2026-06-02T00:00:00Z'); // the day after `expires`
    const second = reconcile(first.nextState, aReport([fail]), {
      now: later,
      suppressions: suppressions('2026-06-01'),
    });
    expect(second.report.findings[0]!.lifecycle?.state).toBe('regressed');
    expect(second.delta.counts.regressed).toBe(1);
    expect(second.delta.expiredSuppressions).toEqual([expect.objectContaining({ index: 0, expires: '2026-06-01' })]);
    expect(alertable(second.report.findings)).toHaveLength(1);
    expect(second.nextState[0]!.history.map((h) => h.change)).toEqual(['opened', 'unsuppressed']);
  });

  it('rejects an invalid file, naming every bad entry', () => {
    expect(() =>
      parseSuppressions({
        suppressions: [
          { check: 'EKS.ENDPOINT.1', resource: '*', reason: 'ok reason', owner: 'me', expires: '2026-12-31' },
          { check: 'EKS.LOGGING.1', resource: '*', reason: 'ok reason', owner: 'me', expires: 'next year' },
          { check: 'EKS.KMS.1', resource: '*', owner: 'me', expires: '2026-02-30x' },
        ],
      }),
    ).toThrow(
      /suppressions\[1\] \(check EKS.LOGGING.1\): expires: must be a date[\s\S]*suppressions\[2\] \(check EKS.KMS.1\): reason/,
    );
    expect(() =>
      parseSuppressions({
        suppressions: [{ check: 'X', resource: '*', reason: 'abc', owner: 'me', expires: '2026-01-01', extra: 1 }],
      }),
    ).toThrow(/suppressions\[0\]/);
    expect(() => parseSuppressions({ supressions: [] })).toThrow(/mapping with a `suppressions` list/);
  });
});

/** A small deterministic PRNG, so the property test is reproducible from its seed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('reconcile: property — nothing is resolved whose cluster, target or data was not read', () => {
  const accounts = ['111111111111', '222222222222'];
  const regions = ['us-east-1', 'eu-west-1'];
  const clusters = ['a', 'b'];
  const checkIds = ['EKS.ENDPOINT.1', 'EKS.LOGGING.1', 'EKS.NODES.1'];

  /** A random scan: some accounts denied, some targets failed, some clusters gone, some checks erroring. */
  function randomScan(rand: () => number): ScanReport {
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const targets: TargetSummary[] = [];
    const errors: TargetError[] = [];
    const findings: Finding[] = [];
    for (const accountId of accounts) {
      if (rand() < 0.15) {
        errors.push({
          provider: 'aws',
          accountId,
          region: '*',
          stage: 'assume-role',
          code: 'AccessDenied',
          message: 'no',
        });
        targets.push({ provider: 'aws', accountId, region: '*', status: 'failed', clusters: 0 });
        continue;
      }
      for (const region of regions) {
        const roll = rand();
        if (roll < 0.1) continue; // not in scope this time
        if (roll < 0.2) {
          errors.push({
            provider: 'aws',
            accountId,
            region,
            stage: 'list-clusters',
            code: 'Throttled',
            message: 'slow',
          });
          targets.push({ provider: 'aws', accountId, region, status: 'failed', clusters: 0 });
          continue;
        }
        const present = clusters.filter(() => rand() < 0.85);
        targets.push({ provider: 'aws', accountId, region, status: 'scanned', clusters: present.length });
        for (const cluster of present) {
          for (const checkId of checkIds) {
            const r = rand();
            if (r < 0.05) continue; // check not run (e.g. disabled)
            if (r < 0.2) {
              findings.push(aFinding({ accountId, region, cluster, checkId, status: 'ERROR', message: 'gap' }));
              continue;
            }
            // Node-group results come per resource (some gone); the others are one per cluster.
            const resources =
              checkId === 'EKS.NODES.1'
                ? ['ng1', 'ng2']
                    .filter(() => rand() >= 0.2)
                    .map((ng) => `${clusterArn(cluster, accountId, region)}/nodegroup/${ng}`)
                : [clusterArn(cluster, accountId, region)];
            for (const resourceId of resources) {
              const status = pick<ResultStatus>(['FAIL', 'PASS', 'NOT_APPLICABLE']);
              findings.push(aFinding({ accountId, region, cluster, checkId, resourceId, status }));
            }
          }
        }
      }
    }
    return aReport(findings, { targets, errors });
  }

  it('holds over 300 random scan sequences', () => {
    const rand = prng(20260601);
    let resolvedSeen = 0;
    let staleSeen = 0;
    for (let seq = 0; seq < 60; seq++) {
      let state: FindingState[] = [];
      for (let i = 0; i < 5; i++) {
        const report = randomScan(rand);
        const cov = coverageOf(report);
        const { delta, nextState } = reconcile(state, report, { now });
        const reported = new Map(report.findings.map((f) => [f.id, f]));
        for (const r of delta.resolved) {
          resolvedSeen++;
          const f = reported.get(r.id);
          if (f) {
            // Resolved by a result read in this scan: it must be a real PASS / N/A, never an ERROR.
            expect(['PASS', 'NOT_APPLICABLE']).toContain(f.status);
            continue;
          }
          // Resolved by absence: its account and target were read whole, and the check had its data.
          const target = `aws/${r.accountId}/${r.region}`;
          expect(cov.failedAccounts.has(`aws/${r.accountId}`)).toBe(false);
          expect(cov.completeTargets.has(target)).toBe(true);
          if (cov.seenClusters.has(r.clusterId)) {
            expect(cov.checkErrors.has(`${r.checkId} ${r.clusterId}`)).toBe(false);
            expect(cov.checkRuns.has(`${r.checkId} ${r.clusterId}`)).toBe(true);
          }
        }
        // Every previously open finding is accounted for: still failing, stale, or resolved.
        const open = state.filter((s) => s.status === 'open').map((s) => s.id);
        const nextById = new Map(nextState.map((s) => [s.id, s]));
        for (const id of open) {
          const s = nextById.get(id)!;
          const f = reported.get(id);
          if (s.status === 'resolved') expect(delta.resolved.some((r) => r.id === id)).toBe(true);
          else if (f?.status !== 'FAIL') {
            staleSeen++;
            expect(s.stale?.reason).toBeTruthy();
          }
        }
        state = nextState;
      }
    }
    // The generator must exercise both branches, or the property proves nothing.
    expect(resolvedSeen).toBeGreaterThan(50);
    expect(staleSeen).toBeGreaterThan(50);
  });
});

/** A scan of named clusters only (`scan --cluster`, `POST /scans {clusters}`, an event-driven rescan). */
function aScopedReport(
  names: string[],
  findings: Finding[],
  opts: { errors?: string[]; at?: string; id?: string } = {},
): ScanReport {
  const ids = names.map((n) => clusterArn(n));
  const report = aReport(findings, {
    ...(opts.at ? { at: opts.at } : {}),
    ...(opts.id ? { id: opts.id } : {}),
    targets: ids.map((clusterId) => ({
      provider: 'aws',
      accountId: ACCOUNT,
      region: 'us-east-1',
      clusterId,
      status: opts.errors?.includes(clusterId) ? 'failed' : 'scanned',
      clusters: findings.some((f) => f.clusterId === clusterId) ? 1 : 0,
    })),
    errors: (opts.errors ?? []).map((clusterId) => ({
      provider: 'aws',
      accountId: ACCOUNT,
      region: 'us-east-1',
      clusterId,
      stage: 'describe-cluster',
      code: 'Throttled',
      message: 'Rate exceeded',
    })),
  });
  return { ...report, scan: { ...report.scan, clusters: ids } };
}

describe('reconcile: a scoped scan judges only the clusters it names', () => {
  const a1 = aFinding({ cluster: 'a' });
  const a2 = aFinding({ cluster: 'a', checkId: 'EKS.LOGGING.1' });
  const b1 = aFinding({ cluster: 'b' });
  const full = () => aReport([a1, a2, b1]);

  it('resolves, opens and keeps the named cluster’s findings, and leaves every other record exactly as stored', () => {
    const first = reconcile([], full(), { now });
    const newOnA = aFinding({ cluster: 'a', checkId: 'EKS.NODES.1' });
    const scoped = reconcile(first.nextState, aScopedReport(['a'], [{ ...a1, status: 'PASS' }, a2, newOnA]), { now });
    expect(scoped.delta.counts).toMatchObject({ new: 1, persisting: 1, resolved: 1, stale: 0, open: 2 });
    expect(scoped.changed.map((s) => s.clusterName).sort()).toEqual(['a', 'a', 'a']);
    const bBefore = first.nextState.find((s) => s.id === b1.id);
    expect(scoped.nextState.find((s) => s.id === b1.id)).toBe(bBefore); // same object: not stale, not touched
    expect(alertable(scoped.report.findings).map((f) => f.id)).toEqual([newOnA.id]);
  });

  it('resolves a named cluster’s findings when its cloud says the cluster is gone (read whole, no results)', () => {
    const first = reconcile([], full(), { now });
    const gone = reconcile(first.nextState, aScopedReport(['a'], []), { now });
    expect(gone.delta.resolved.map((r) => [r.clusterName, r.reason])).toEqual([
      ['a', 'cluster no longer exists'],
      ['a', 'cluster no longer exists'],
    ]);
    expect(gone.nextState.find((s) => s.id === b1.id)?.status).toBe('open');
  });

  it('resolves nothing of a named cluster that could not be read, and marks only its findings stale', () => {
    const first = reconcile([], full(), { now });
    const failed = reconcile(first.nextState, aScopedReport(['a'], [], { errors: [clusterArn('a')] }), { now });
    expect(failed.delta.counts).toMatchObject({ resolved: 0, stale: 2, open: 2 });
    expect(failed.delta.stale.map((r) => r.reason)).toEqual([
      'cluster not scanned: describe-cluster failed (Throttled): Rate exceeded',
      'cluster not scanned: describe-cluster failed (Throttled): Rate exceeded',
    ]);
    expect(failed.nextState.find((s) => s.id === b1.id)?.stale).toBeUndefined();
  });

  it('judges one named cluster on its own when another named cluster of the same region failed', () => {
    const first = reconcile([], full(), { now });
    const r = reconcile(first.nextState, aScopedReport(['a', 'b'], [], { errors: [clusterArn('b')] }), { now });
    expect(r.delta.resolved.map((x) => x.clusterName)).toEqual(['a', 'a']);
    expect(r.delta.stale.map((x) => x.clusterName)).toEqual(['b']);
  });
});

describe('reconcile: a rescan racing a full scan', () => {
  const a1 = aFinding({ cluster: 'a' });
  const b1 = aFinding({ cluster: 'b' });
  const t = (m: number) => new Date(Date.UTC(2026, 6, 1, 8, m)).toISOString();

  it('leaves alone what a later-started scan already judged: the older view neither undoes nor re-alerts it', () => {
    const base = reconcile([], aReport([a1, b1], { at: t(0), id: 'full-0' }), { now }).nextState;
    // The rescan (started at :20) resolved a1; the full scan started at :10 and still saw it failing.
    const rescan = reconcile(base, aScopedReport(['a'], [{ ...a1, status: 'PASS' }], { at: t(20), id: 'rescan' }), {
      now,
    });
    const fullScan = reconcile(rescan.nextState, aReport([a1, b1], { at: t(10), id: 'full-1' }), { now });
    expect(fullScan.nextState.find((s) => s.id === a1.id)).toMatchObject({ status: 'resolved', lastScanId: 'rescan' });
    expect(fullScan.changed.map((s) => s.id)).toEqual([b1.id]);
    expect(alertable(fullScan.report.findings)).toEqual([]);
  });

  it('keeps the alert of a finding an earlier attempt of the same scan opened (a retried commit), and alerts nothing twice', () => {
    const newOne = aFinding({ cluster: 'a', checkId: 'EKS.NODES.1' });
    const report = aReport([a1, newOne], { at: t(5), id: 'full-2' });
    const first = reconcile([], report, { now });
    // The first attempt's writes landed, then the commit was refused on another record and is run again on them.
    const again = reconcile(first.nextState, report, { now });
    expect(again.changed).toEqual([]);
    expect(
      alertable(again.report.findings)
        .map((f) => f.id)
        .sort(),
    ).toEqual([a1.id, newOne.id].sort());
    // Another scan that reads the same records does not alert them again.
    const other = reconcile(first.nextState, aReport([a1, newOne], { at: t(6), id: 'rescan-2' }), { now });
    expect(alertable(other.report.findings)).toEqual([]);
  });

  it('still counts as its own the resolution an earlier attempt of the same scan wrote', () => {
    const base = reconcile([], aReport([a1], { at: t(0), id: 'full-3' }), { now }).nextState;
    const report = aReport([{ ...a1, status: 'PASS' }], { at: t(1), id: 'full-4' });
    const first = reconcile(base, report, { now });
    const again = reconcile(first.nextState, report, { now });
    expect(again.delta.resolved.map((r) => r.id)).toEqual([a1.id]);
    expect(again.changed).toEqual([]);
  });
});
