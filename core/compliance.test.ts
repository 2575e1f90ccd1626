import { describe, expect, it } from 'vitest';
import { aFinding } from '../test/findings.ts';
import type { ResultStatus } from './check.ts';
import {
  type Benchmark,
  benchmarkCoverage,
  compareControlIds,
  complianceReports,
  controlGuidance,
  type MappedCheck,
  verdictSummary,
} from './compliance.ts';

const bench: Benchmark = {
  id: 'cis-test-1.0',
  title: 'A test benchmark',
  version: '1.0.0',
  provider: 'aws',
  sections: [
    { id: '3.1', title: 'Node files', guidance: 'Audit the node files on each node, with a node-side tool.' },
    { id: '5.4', title: 'Cluster Networking' },
  ],
  controls: [
    { id: '5.4.10', title: 'Two checks, one control', assessment: 'automated' },
    { id: '5.4.2', title: 'One check', assessment: 'automated', guidance: 'Disable the public endpoint entirely.' },
    { id: '3.1.1', title: 'Kubeconfig file permissions', assessment: 'automated' },
    {
      id: '2.1.2',
      title: 'Audit logs are managed',
      assessment: 'manual',
      guidance: 'Ship logs to the SIEM and keep them.',
    },
  ],
};

const checks: MappedCheck[] = [
  { id: 'EKS.A.1', provider: 'aws', frameworks: { 'cis-test-1.0': ['5.4.10', '5.4.2'] } },
  { id: 'EKS.B.1', provider: 'aws', frameworks: { 'cis-test-1.0': ['5.4.10'] } },
  { id: 'EKS.C.1', provider: 'aws', frameworks: {} },
  // Another cloud's check mapped by mistake is ignored, not counted.
  { id: 'AKS.X.1', provider: 'azure', frameworks: { 'cis-test-1.0': ['3.1.1'] } },
];

const r = (cluster: string, checkId: string, status: ResultStatus, suppressed = false) =>
  aFinding({
    cluster,
    checkId,
    status,
    resourceId: `${cluster}/${checkId}/${status}/${Math.random()}`,
    ...(suppressed
      ? {
          lifecycle: {
            state: 'new',
            firstSeen: '2026-06-01T00:00:00Z',
            lastSeen: '2026-06-01T00:00:00Z',
            suppressed: {
              index: 0,
              check: 'EKS.A.1',
              resource: '*',
              reason: 'accepted',
              owner: 'sec',
              expires: '2027-01-01',
            },
          },
        }
      : {}),
  });

function verdicts(findings: ReturnType<typeof r>[]) {
  const [report] = complianceReports(findings, [bench], checks);
  const control = (id: string) => report!.controls.find((c) => c.id === id)!;
  const of = (id: string, cluster: string) => control(id).clusters.find((c) => c.clusterName === cluster)!;
  return { report: report!, control, of };
}

describe('compliance report', () => {
  it('lists every control in numeric order, with its mode: checked, manual or not assessed', () => {
    const { report } = verdicts([r('a', 'EKS.A.1', 'PASS'), r('a', 'EKS.B.1', 'PASS')]);
    expect(report.controls.map((c) => [c.id, c.mode])).toEqual([
      ['2.1.2', 'manual'],
      ['3.1.1', 'not-assessed'],
      ['5.4.2', 'checked'],
      ['5.4.10', 'checked'],
    ]);
    expect(report.controls.find((c) => c.id === '5.4.10')?.checks).toEqual(['EKS.A.1', 'EKS.B.1']);
  });

  it.each([
    ['any FAIL fails the control, whatever else', ['FAIL', 'PASS'], ['ERROR'], 'FAIL'],
    ['an ERROR without a FAIL is ERROR', ['PASS', 'PASS'], ['ERROR'], 'ERROR'],
    ['all PASS passes', ['PASS', 'PASS'], ['PASS'], 'PASS'],
    ['PASS with NOT_APPLICABLE passes', ['PASS'], ['NOT_APPLICABLE'], 'PASS'],
    ['only NOT_APPLICABLE is NOT_APPLICABLE', ['NOT_APPLICABLE'], ['NOT_APPLICABLE'], 'NOT_APPLICABLE'],
  ] as const)('%s', (_name, a, b, expected) => {
    const { of } = verdicts([...a.map((s) => r('c1', 'EKS.A.1', s)), ...b.map((s) => r('c1', 'EKS.B.1', s))]);
    expect(of('5.4.10', 'c1').verdict).toBe(expected);
  });

  it('never passes a control whose mapped check has no result on the cluster: ERROR, naming the check', () => {
    const { of } = verdicts([r('c1', 'EKS.A.1', 'PASS')]);
    expect(of('5.4.2', 'c1').verdict).toBe('PASS');
    expect(of('5.4.10', 'c1')).toMatchObject({ verdict: 'ERROR', missing: ['EKS.B.1'] });
  });

  it('judges each cluster on its own and counts clusters by verdict', () => {
    const { control, report } = verdicts([
      r('good', 'EKS.A.1', 'PASS'),
      r('good', 'EKS.B.1', 'PASS'),
      r('bad', 'EKS.A.1', 'FAIL'),
      r('bad', 'EKS.B.1', 'PASS'),
    ]);
    expect(report.clusters.map((c) => c.clusterName)).toEqual(['bad', 'good']);
    expect(control('5.4.10').verdicts).toEqual({ PASS: 1, FAIL: 1, ERROR: 0, NOT_APPLICABLE: 0 });
    expect(control('5.4.10').clusters.find((c) => c.clusterName === 'bad')?.failing).toEqual(['EKS.A.1']);
    expect(verdictSummary(control('5.4.10').verdicts)).toBe('1 FAIL · 1 PASS');
    // Controls without checks have no verdicts at all.
    expect(control('2.1.2').clusters).toEqual([]);
  });

  it('keeps a suppressed FAIL a FAIL, and marks the accepted risk only when every failure is suppressed', () => {
    const all = verdicts([r('c1', 'EKS.A.1', 'FAIL', true), r('c1', 'EKS.B.1', 'PASS')]).of('5.4.10', 'c1');
    expect(all).toMatchObject({ verdict: 'FAIL', suppressedFails: 1, acceptedRisk: true });
    const some = verdicts([r('c1', 'EKS.A.1', 'FAIL', true), r('c1', 'EKS.B.1', 'FAIL')]).of('5.4.10', 'c1');
    expect(some).toMatchObject({ verdict: 'FAIL', suppressedFails: 1, acceptedRisk: false });
  });

  it("judges only the benchmark's cloud: an AKS cluster is not a cluster of an EKS benchmark", () => {
    const aks = aFinding({ cluster: 'aks1', checkId: 'AKS.X.1', provider: 'azure', clusterId: '/subscriptions/s/x' });
    const { report } = verdicts([aks, r('eks1', 'EKS.A.1', 'PASS')]);
    expect(report.clusters.map((c) => c.clusterName)).toEqual(['eks1']);
  });

  it('gives a control its own guidance, else its section guidance', () => {
    const { control } = verdicts([]);
    expect(control('3.1.1').guidance).toMatch(/node files/);
    expect(control('3.1.1').section).toBe('3.1 Node files');
    expect(control('5.4.2').guidance).toMatch(/public endpoint/);
    expect(controlGuidance(bench, bench.controls[0]!)).toBeUndefined();
  });

  it('computes coverage from the catalogue: automated and manual, and controls with a mapped check', () => {
    expect(benchmarkCoverage(bench, checks).coverage).toEqual({
      controls: 4,
      automated: 3,
      manual: 1,
      checked: 2,
      automatedChecked: 2,
    });
  });

  it('orders dotted control ids numerically', () => {
    expect(['5.10.1', '5.4.2', '5.4.10', '4.1.1'].sort(compareControlIds)).toEqual([
      '4.1.1',
      '5.4.2',
      '5.4.10',
      '5.10.1',
    ]);
  });
});
