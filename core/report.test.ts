import { describe, expect, it } from 'vitest';
import { aFinding } from '../test/findings.ts';
import type { Finding } from './finding.ts';
import { findingSelection, hasFailAtOrAbove, type ScanReport, sortFindings, summarize } from './report.ts';

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'x',
    checkId: 'EKS.ENDPOINT.1',
    title: 't',
    category: 'endpoint',
    severity: 'high',
    status: 'FAIL',
    provider: 'aws',
    accountId: '111111111111',
    region: 'us-east-1',
    clusterName: 'a',
    clusterId: 'arn:a',
    resourceId: 'arn:a',
    message: 'm',
    evidence: {},
    ...over,
  };
}

describe('report helpers', () => {
  it('counts results by status and failing results by severity', () => {
    const s = summarize(
      [finding({}), finding({ severity: 'low' }), finding({ status: 'PASS' }), finding({ status: 'ERROR' })],
      [{ provider: 'aws', accountId: '1', region: 'r', status: 'failed', clusters: 0 }],
    );
    expect(s.byStatus).toEqual({ PASS: 1, FAIL: 2, ERROR: 1, NOT_APPLICABLE: 0 });
    expect(s.failBySeverity.high).toBe(1);
    expect(s.failBySeverity.low).toBe(1);
    expect(s.targets.failed).toBe(1);
  });

  it('sorts failures first, worst severity first', () => {
    const sorted = sortFindings([
      finding({ status: 'PASS', id: 'p' }),
      finding({ severity: 'low', id: 'l' }),
      finding({ severity: 'critical', id: 'c' }),
      finding({ status: 'ERROR', id: 'e' }),
    ]);
    expect(sorted.map((f) => f.id)).toEqual(['c', 'l', 'e', 'p']);
  });

  it('gates on FAIL at or above a threshold only', () => {
    const report = { findings: [finding({ severity: 'medium' }), finding({ status: 'ERROR', severity: 'critical' })] };
    expect(hasFailAtOrAbove(report as ScanReport, 'medium')).toBe(true);
    expect(hasFailAtOrAbove(report as ScanReport, 'high')).toBe(false);
  });
});

describe('findingSelection', () => {
  it('keeps new and regressed FAILs first, then the worst FAILs, within the cap, in report order', () => {
    const at = '2026-06-01T00:00:00.000Z';
    const fresh = (f: Finding): Finding => ({ ...f, lifecycle: { state: 'new', firstSeen: at, lastSeen: at } });
    const old = (f: Finding): Finding => ({ ...f, lifecycle: { state: 'persisting', firstSeen: at, lastSeen: at } });
    const all = [
      aFinding({ cluster: 'a', status: 'PASS' }),
      old(aFinding({ cluster: 'b', severity: 'critical' })),
      fresh(aFinding({ cluster: 'c', severity: 'low' })),
      old(aFinding({ cluster: 'd', severity: 'medium' })),
      aFinding({ cluster: 'e', status: 'ERROR' }),
      fresh(aFinding({ cluster: 'f', severity: 'info' })),
    ];
    const pick = (cap: number) => {
      const s = findingSelection(cap);
      for (const f of all) s.add(f);
      return s.result();
    };
    const three = pick(3);
    expect(three.omitted).toBe(3);
    // Both new FAILs (low, info) before the persisting critical one; sorted worst first for the report.
    expect(three.findings.map((f) => f.clusterName)).toEqual(['b', 'c', 'f']);
    expect(pick(10)).toEqual({ findings: sortFindings([...all]), omitted: 0 });
    expect(pick(0)).toEqual({ findings: [], omitted: 6 });
  });
});
