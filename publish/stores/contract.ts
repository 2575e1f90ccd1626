import { expect, it } from 'vitest';
import { StateConflictError } from '../../core/errors.ts';
import type { Finding } from '../../core/finding.ts';
import { alertable, reconcile } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import { type FindingStateStore, reconcileWithStore, scanRecordOf } from '../../core/state.ts';
import { ACCOUNT, aFinding, aReport, clusterArn } from '../../test/findings.ts';

/** A finding on the one test cluster, by check. */
export function aStoreFinding(checkId: string, status: Finding['status'] = 'FAIL'): Finding {
  return aFinding({ checkId, status, title: `Title of ${checkId}`, message: `${checkId} ${status}` });
}

/** A report whose id ends in a day digit: `scan-2` starts on 2026-06-02 at 08:00. */
export function aStoreReport(id: string, findings: Finding[]): ScanReport {
  return aReport(findings, { id, at: `2026-06-0${id.slice(-1)}T08:00:00.000Z` });
}

const now = new Date('2026-06-01T00:00:00Z');

/**
 * The behaviour every FindingStateStore must have (local folder, DynamoDB): run inside a `describe`,
 * with a factory giving a fresh, empty store (and a second handle on the same storage).
 */
export function stateStoreContract(fresh: () => Promise<{ store: FindingStateStore; again: () => FindingStateStore }>) {
  it('starts empty', async () => {
    const { store } = await fresh();
    expect(await store.load()).toEqual({ findings: [], lastScan: undefined });
    expect(await store.scans(5)).toEqual([]);
  });

  it('keeps state across scans, so the second scan reports the delta against the first', async () => {
    const { store, again } = await fresh();
    const a = aStoreFinding('EKS.ENDPOINT.1');
    const b = aStoreFinding('EKS.LOGGING.1');
    const first = await reconcileWithStore(store, aStoreReport('scan-1', [a, b]), { now });
    expect(first.delta.counts).toMatchObject({ new: 2, open: 2 });
    const second = await reconcileWithStore(again(), aStoreReport('scan-2', [a, { ...b, status: 'PASS' }]), { now });
    expect(second.delta).toMatchObject({
      previousScanId: 'scan-1',
      counts: { new: 0, persisting: 1, resolved: 1, open: 1 },
    });
    const loaded = await again().load();
    expect(loaded.lastScan).toEqual(second.record);
    expect(loaded.findings.map((s) => [s.checkId, s.status, s.version]).sort()).toEqual([
      ['EKS.ENDPOINT.1', 'open', 2],
      ['EKS.LOGGING.1', 'resolved', 2],
    ]);
    expect(loaded.findings.find((s) => s.checkId === 'EKS.ENDPOINT.1')?.firstSeen).toBe('2026-06-01T08:00:00.000Z');
    expect((await store.scans(5)).map((s) => s.id)).toEqual(['scan-2', 'scan-1']);
  });

  it('refuses the writes of an overlapping scan that read stale state, and keeps the first scan’s state', async () => {
    const { store, again } = await fresh();
    const a = aStoreFinding('EKS.ENDPOINT.1');
    await reconcileWithStore(store, aStoreReport('scan-1', [a]), { now });
    // Two scans read the same state...
    const base = (await store.load()).findings;
    const slow = reconcile(base, aStoreReport('scan-3', [{ ...a, status: 'PASS' }]), { now });
    const fast = reconcile(base, aStoreReport('scan-2', [a]), { now });
    // ...the first to finish wins; the other is refused, whole.
    await again().commit(fast.changed, scanRecordOf(fast.report));
    await expect(store.commit(slow.changed, scanRecordOf(slow.report))).rejects.toBeInstanceOf(StateConflictError);
    const after = await again().load();
    expect(after.findings.map((s) => [s.status, s.version, s.lastScanId])).toEqual([['open', 2, 'scan-2']]);
    expect(after.lastScan?.id).toBe('scan-2');
  });
}

/**
 * A change-driven rescan of cluster `a` racing a full scan that started before it: both read the same state, and either
 * may commit first. The full scan saw `a` before the change (a1 still failing); the rescan saw it after (a1 fixed, n
 * newly failing). Whatever the order: the rescan's newer view of `a` is what stays, every finding that newly fails is
 * alerted by exactly one scan, and the full scan's own changes (b1 fixed, h new) are kept.
 */
export function rescanRaceContract(fresh: () => Promise<{ store: FindingStateStore; again: () => FindingStateStore }>) {
  const a1 = aFinding({ cluster: 'a' });
  const n = aFinding({ cluster: 'a', checkId: 'EKS.LOGGING.1' });
  const b1 = aFinding({ cluster: 'b' });
  const h = aFinding({ cluster: 'b', checkId: 'EKS.LOGGING.1' });
  const at = (minute: number) => `2026-07-01T08:${String(minute).padStart(2, '0')}:00.000Z`;
  // The full scan read cluster a late enough to see n failing too: both scans would alert it, were it not for the store.
  const full = () => aReport([a1, n, { ...b1, status: 'PASS' }, h], { id: 'full-1', at: at(10) });
  const rescan = (): ScanReport => {
    const clusterId = clusterArn('a');
    const r = aReport([{ ...a1, status: 'PASS' }, n], {
      id: 'rescan-1',
      at: at(20),
      targets: [
        { provider: 'aws', accountId: ACCOUNT, region: 'us-east-1', clusterId, status: 'scanned', clusters: 1 },
      ],
    });
    return { ...r, scan: { ...r.scan, clusters: [clusterId] } };
  };
  const alerted = (r: { report: ScanReport }) =>
    alertable(r.report.findings)
      .map((f) => f.id)
      .sort();

  async function raced(order: 'rescan-first' | 'full-first') {
    const { store, again } = await fresh();
    await reconcileWithStore(store, aReport([a1, b1], { id: 'scan-0', at: at(0) }), { now });
    const stored = await store.load();
    const commit = (report: ScanReport) => reconcileWithStore(again(), report, { now, stored });
    const [first, second] = order === 'rescan-first' ? [rescan(), full()] : [full(), rescan()];
    const one = await commit(first);
    const two = await commit(second);
    const state = new Map((await again().load()).findings.map((s) => [s.id, s]));
    const byScan = Object.fromEntries([one, two].map((r) => [r.report.scan.id, r]));
    return { byScan, state };
  }

  it.each(['rescan-first', 'full-first'] as const)(
    'keeps both scans’ updates and alerts each new finding once when a rescan races a full scan (%s)',
    async (order) => {
      const { byScan, state } = await raced(order);
      const opener = order === 'rescan-first' ? 'rescan-1' : 'full-1';
      expect(state.get(n.id)?.history.map((e) => [e.change, e.scanId])).toEqual([['opened', opener]]);
      // The rescan's newer view of cluster a stands: a1 fixed, n open, first seen by whichever scan committed first.
      expect(state.get(a1.id)).toMatchObject({ status: 'resolved', lastScanId: 'rescan-1' });
      expect(state.get(n.id)?.status).toBe('open');
      // The full scan's own changes on cluster b are kept.
      expect(state.get(b1.id)).toMatchObject({ status: 'resolved', lastScanId: 'full-1' });
      expect(state.get(h.id)).toMatchObject({ status: 'open', lastScanId: 'full-1' });
      // Every finding that newly failed was alerted by exactly one of the two scans.
      const alerts = [...alerted(byScan['rescan-1']!), ...alerted(byScan['full-1']!)].sort();
      expect(alerts).toEqual([n.id, h.id].sort());
      expect(alerted(byScan['full-1']!)).toContain(h.id);
      // The resolution of a1 is the rescan's alone; the full scan's older view of it changed nothing.
      expect(byScan['rescan-1']!.delta.resolved.map((r) => r.id)).toEqual([a1.id]);
      expect(byScan['full-1']!.delta.resolved.map((r) => r.id)).toEqual([b1.id]);
    },
  );
}
