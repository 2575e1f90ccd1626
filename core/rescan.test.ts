import { describe, expect, it } from 'vitest';
import type { AnyCheck } from './check.ts';
import { parseClusterRef } from './cluster-ref.ts';
import { parseConfig } from './config.ts';
import { finalizeScan } from './finalize.ts';
import type { FindingState } from './lifecycle.ts';
import { scanClusters } from './rescan.ts';
import { runScan } from './scan.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import type { FindingStateStore, ScanRecord, StoredState } from './state.ts';
import type { Collector, Target } from './target.ts';

const ACCOUNT = '111111111111';
const arn = (name: string) => `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${name}`;

/** A fleet of clusters whose one check fails while `open` says so; the collector records what it was asked. */
function fleet(open: Record<string, boolean>) {
  const asked: Target[] = [];
  const snapshot = (name: string) =>
    ({
      provider: 'aws',
      id: arn(name),
      name,
      accountId: ACCOUNT,
      region: 'us-east-1',
      gaps: [],
    }) as unknown as ClusterSnapshot;
  const collector: Collector = {
    provider: 'aws',
    plan: async () => ({ targets: [{ provider: 'aws', accountId: ACCOUNT, region: 'us-east-1' }], errors: [] }),
    async collect(target) {
      asked.push(target);
      const names = target.cluster ? [target.cluster.name] : Object.keys(open);
      return { target, snapshots: names.filter((n) => n in open).map(snapshot), errors: [] };
    },
  };
  const check = {
    id: 'TEST.1',
    title: 'endpoint private',
    category: 'endpoint',
    severity: 'high',
    provider: 'aws',
    needs: [],
    evaluate: (s: ClusterSnapshot) => [
      { status: open[s.name] ? 'FAIL' : 'PASS', resourceId: s.id, message: open[s.name] ? 'public' : 'private' },
    ],
  } as unknown as AnyCheck;
  return { collector, check, asked };
}

function memoryStore(): FindingStateStore & { state: FindingState[] } {
  const store = {
    state: [] as FindingState[],
    records: [] as ScanRecord[],
    async load(): Promise<StoredState> {
      return { findings: [...store.state], lastScan: store.records.at(-1) };
    },
    async commit(changed: readonly FindingState[], scan: ScanRecord) {
      const byId = new Map(store.state.map((s) => [s.id, s]));
      for (const c of changed) byId.set(c.id, c);
      store.state = [...byId.values()];
      store.records.push(scan);
    },
    async scans() {
      return [...store.records].reverse();
    },
  };
  return store;
}

describe('scanClusters', () => {
  const config = parseConfig({});

  it('reads only the named cluster, reconciles only its findings and alerts only its changes', async () => {
    const store = memoryStore();
    const before = fleet({ a: true, b: true });
    const full = await runScan({ collectors: [before.collector], checks: [before.check], config });
    await finalizeScan(full, { state: store, now: new Date() });
    const bBefore = store.state.find((s) => s.clusterName === 'b');

    // a was fixed and b was fixed too, but only a is rescanned: b stays open, untouched.
    const after = fleet({ a: false, b: false });
    const alerts: string[] = [];
    const result = await scanClusters([parseClusterRef(arn('a'))], {
      collectors: [after.collector],
      checks: [after.check],
      config,
      state: store,
      notifiers: [{ name: 'test', notify: async (r) => void alerts.push(r.scan.id) }],
    });

    expect(after.asked.map((t) => t.cluster?.id)).toEqual([arn('a')]);
    expect(result.report.scan).toMatchObject({ trigger: 'rescan', clusters: [arn('a')] });
    expect(result.delta.resolved.map((r) => r.clusterName)).toEqual(['a']);
    expect(store.state.find((s) => s.clusterName === 'b')).toBe(bBefore);
    expect(alerts).toEqual([result.report.scan.id]);
  });

  it('refuses an empty list: a scan of no cluster is not a full scan', async () => {
    const { collector, check } = fleet({});
    await expect(scanClusters([], { collectors: [collector], checks: [check], config })).rejects.toThrow(
      'at least one cluster',
    );
  });
});
