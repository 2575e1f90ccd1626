import { expect, it } from 'vitest';
import { StateConflictError } from '../../core/errors.ts';
import type { Finding } from '../../core/finding.ts';
import { reconcile } from '../../core/lifecycle.ts';
import type { ScanReport } from '../../core/report.ts';
import { type FindingStateStore, reconcileWithStore, scanRecordOf } from '../../core/state.ts';
import { aFinding, aReport } from '../../test/findings.ts';

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
