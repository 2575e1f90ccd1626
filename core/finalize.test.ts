import { describe, expect, it } from 'vitest';
import { aFinding, aReport } from '../test/findings.ts';
import { finalizeScan } from './finalize.ts';
import type { FindingState } from './lifecycle.ts';
import type { FindingStateStore, Notifier, ReportArtifact, ScanRecord } from './state.ts';

function memoryStore(): FindingStateStore & { committed: ScanRecord[] } {
  let findings: FindingState[] = [];
  const committed: ScanRecord[] = [];
  return {
    committed,
    async load() {
      return { findings, lastScan: committed.at(-1) };
    },
    async commit(changed, scan) {
      const byId = new Map(findings.map((f) => [f.id, f]));
      for (const c of changed) byId.set(c.id, c);
      findings = [...byId.values()];
      committed.push(scan);
    },
    async scans(limit) {
      return committed.slice(-limit).reverse();
    },
  };
}

describe('finalizeScan: reconcile, then archive, then notify', () => {
  it('commits state first, gives notifiers the stored report link, and survives a failing sink', async () => {
    const state = memoryStore();
    const seen: { sink: string; url?: string; new: number }[] = [];
    const notifier = (name: string, fail = false): Notifier => ({
      name,
      async notify(report, ctx) {
        if (fail) throw new Error(`${name} is down`);
        seen.push({ sink: name, url: ctx.reportUrl, new: report.delta!.counts.new });
      },
    });
    const stored: ReportArtifact[][] = [];
    const result = await finalizeScan(aReport([aFinding()], { id: 'scan-a' }), {
      state,
      reports: {
        async put(_id, artifacts) {
          stored.push([...artifacts]);
          return { keys: ['scans/scan-a/report.html'], latest: 'latest/scan.json' };
        },
      },
      artifacts: (r) => [{ name: 'report.json', contentType: 'application/json', body: JSON.stringify(r) }],
      reportUrl: async (keys) => `https://reports.example.test/${keys[0]}`,
      notifiers: [notifier('slack', true), notifier('email')],
      now: new Date('2026-06-01T00:00:00Z'),
    });
    expect(state.committed.map((s) => s.id)).toEqual(['scan-a']);
    expect(JSON.parse(stored[0]![0]!.body).delta.counts.new).toBe(1);
    expect(seen).toEqual([{ sink: 'email', url: 'https://reports.example.test/scans/scan-a/report.html', new: 1 }]);
    expect(result.failures).toEqual([{ sink: 'slack', error: 'slack is down' }]);
  });

  it('reconciles against nothing when there is no store', async () => {
    const result = await finalizeScan(aReport([aFinding()]), { now: new Date() });
    expect(result.delta.counts.new).toBe(1);
    expect(result.failures).toEqual([]);
  });
});
