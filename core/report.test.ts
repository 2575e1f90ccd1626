import { describe, expect, it } from 'vitest';
import { aFinding } from '../test/findings.ts';
import type { Finding } from './finding.ts';
import {
  filterReport,
  findingSelection,
  gateFailures,
  hasFailAtOrAbove,
  type ScanReport,
  sortFindings,
  summarize,
  type TargetSummary,
} from './report.ts';

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

const suppressed = {
  index: 0,
  check: '*',
  resource: '*',
  reason: 'accepted',
  owner: 'me',
  expires: '2099-01-01',
};

function target(status: TargetSummary['status']): TargetSummary {
  return { provider: 'aws', accountId: '111111111111', region: 'us-east-1', status, clusters: 1 };
}

function reportOf(findings: Finding[], targets: TargetSummary[], errors: ScanReport['errors'] = []): ScanReport {
  return {
    findings,
    targets,
    errors,
    summary: summarize(findings, targets),
  } as ScanReport;
}

describe('the CI gate', () => {
  const ok = [target('scanned'), target('partial')];

  it('never fails on a suppressed FAIL, whatever the threshold', () => {
    const report = reportOf(
      [finding({ severity: 'critical', lifecycle: { state: 'new', firstSeen: 'a', lastSeen: 'a', suppressed } })],
      ok,
    );
    expect(hasFailAtOrAbove(report, 'info')).toBe(false);
    expect(gateFailures(report, report, { failOn: 'info', maxFailedTargetsPercent: 50 })).toEqual([]);
    const open = reportOf(
      [finding({ severity: 'low', lifecycle: { state: 'new', firstSeen: 'a', lastSeen: 'a' } })],
      ok,
    );
    expect(gateFailures(open, open, { failOn: 'low', maxFailedTargetsPercent: 50 })).toEqual([
      { kind: 'findings', message: '1 unsuppressed FAIL finding at or above low' },
    ]);
  });

  it('fails as incomplete when no target was planned or every target failed, even with no threshold set', () => {
    const none = reportOf([], []);
    expect(gateFailures(none, none, { maxFailedTargetsPercent: 100 }).map((g) => g.kind)).toEqual(['incomplete']);
    const allFailed = reportOf([], [target('failed'), target('failed')]);
    expect(gateFailures(allFailed, allFailed, { maxFailedTargetsPercent: 100 })).toEqual([
      expect.objectContaining({
        kind: 'incomplete',
        message: expect.stringMatching(/^no target could be scanned: all 2 targets failed/),
      }),
    ]);
  });

  it('fails as incomplete only when the failed share is above --max-failed-targets', () => {
    const r = reportOf([], [target('failed'), target('scanned'), target('scanned'), target('partial')]);
    expect(gateFailures(r, r, { maxFailedTargetsPercent: 25 })).toEqual([]);
    expect(gateFailures(r, r, { maxFailedTargetsPercent: 24.9 })).toEqual([
      { kind: 'incomplete', message: '1 of 4 targets failed (25%, above --max-failed-targets 24.9%)' },
    ]);
    expect(gateFailures(r, r, { maxFailedTargetsPercent: 0 }).map((g) => g.kind)).toEqual(['incomplete']);
  });

  it('with failOnError, fails on an ERROR result or a collection error, and lists failures worst first', () => {
    const errored = reportOf([finding({ status: 'ERROR' })], ok);
    expect(gateFailures(errored, errored, { maxFailedTargetsPercent: 50 })).toEqual([]);
    expect(gateFailures(errored, errored, { failOnError: true, maxFailedTargetsPercent: 50 })).toEqual([
      { kind: 'errors', message: '--fail-on-error: 1 ERROR result and 0 collection errors' },
    ]);
    const error = {
      provider: 'aws',
      accountId: '2',
      region: '*',
      stage: 'assume-role',
      code: 'AccessDenied',
      message: 'no',
    };
    const everything = reportOf([finding({})], [target('failed'), target('scanned')], [error] as ScanReport['errors']);
    expect(
      gateFailures(everything, everything, { failOn: 'high', failOnError: true, maxFailedTargetsPercent: 10 }).map(
        (g) => g.kind,
      ),
    ).toEqual(['incomplete', 'errors', 'findings']);
  });

  it('gates FAILs on the report as shown (filtered), coverage on the whole scan', () => {
    const whole = reportOf([finding({ severity: 'low' })], [target('failed'), target('failed')]);
    const shown = filterReport(whole, { minSeverity: 'high' });
    expect(shown.findings).toEqual([]);
    expect(gateFailures(whole, shown, { failOn: 'low', maxFailedTargetsPercent: 50 }).map((g) => g.kind)).toEqual([
      'incomplete',
    ]);
  });
});

describe('filterReport', () => {
  const life = (state: 'new' | 'regressed' | 'persisting' | 'resolved') => ({ state, firstSeen: 'a', lastSeen: 'a' });
  const findings = [
    finding({ id: 'new-high', lifecycle: life('new') }),
    finding({ id: 'persisting-critical', severity: 'critical', lifecycle: life('persisting') }),
    finding({ id: 'regressed-low', severity: 'low', lifecycle: life('regressed') }),
    finding({ id: 'resolved-medium', status: 'PASS', severity: 'medium', lifecycle: life('resolved') }),
    finding({ id: 'pass-info', status: 'PASS', severity: 'info' }),
  ];
  const report = reportOf(findings, [target('scanned')]);

  it('keeps findings at or above --severity and recounts the summary', () => {
    const shown = filterReport(report, { minSeverity: 'high' });
    expect(shown.findings.map((f) => f.id)).toEqual(['new-high', 'persisting-critical']);
    expect(shown.summary.byStatus).toEqual({ FAIL: 2, PASS: 0, ERROR: 0, NOT_APPLICABLE: 0 });
    expect(shown.targets).toBe(report.targets);
  });

  it('keeps only new, regressed and resolved findings with changedOnly', () => {
    expect(filterReport(report, { changedOnly: true }).findings.map((f) => f.id)).toEqual([
      'new-high',
      'regressed-low',
      'resolved-medium',
    ]);
    expect(filterReport(report, {})).toBe(report);
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
