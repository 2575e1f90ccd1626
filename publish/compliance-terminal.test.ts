import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { frameworkById } from '../checks/frameworks/index.ts';
import { checks } from '../checks/index.ts';
import { complianceReports } from '../core/compliance.ts';
import { aFinding } from '../test/findings.ts';
import { complianceTerminal } from './compliance-terminal.ts';

const suppressed = {
  state: 'new' as const,
  firstSeen: '2026-06-01T00:00:00Z',
  lastSeen: '2026-06-01T00:00:00Z',
  suppressed: { index: 0, check: 'EKS.ENDPOINT.1', resource: '*', reason: 'lab', owner: 'sec', expires: '2027-01-01' },
};

describe('terminal compliance table', () => {
  const reports = complianceReports(
    [
      aFinding({ cluster: 'prod', checkId: 'EKS.ENDPOINT.1', status: 'FAIL' }),
      aFinding({ cluster: 'lab\u001b[31m', checkId: 'EKS.ENDPOINT.1', status: 'FAIL', lifecycle: suppressed }),
      aFinding({ cluster: 'dev', checkId: 'EKS.ENDPOINT.1', status: 'PASS' }),
    ],
    [frameworkById('cis-eks-1.8')!],
    checks,
  );
  const text = complianceTerminal(reports, { color: false });
  const line = (id: string) => text.split('\n').find((l) => l.trimStart().startsWith(`${id} `)) ?? '';

  it('has the benchmark, its coverage, and a row per control', () => {
    expect(text).toContain('Compliance: CIS Amazon Elastic Kubernetes Service (EKS) Benchmark 1.8.0 (cis-eks-1.8)');
    expect(text).toMatch(/Coverage: \d+ of 50 controls checked \(\d+%\)/);
    for (const c of frameworkById('cis-eks-1.8')!.controls) expect(line(c.id), c.id).not.toBe('');
  });

  it('summarises verdicts across clusters, counts accepted risks, and names the failing clusters', () => {
    expect(line('5.4.1')).toContain('2 FAIL (1 accepted) · 1 PASS');
    expect(line('5.4.1')).toMatch(/failing: lab.*prod/);
    expect(line('2.1.2')).toContain('MANUAL');
    expect(line('3.1.1')).toContain('NOT ASSESSED');
  });

  it('never prints raw control characters from cloud names', () => {
    expect(stripVTControlCharacters(text)).toBe(text);
  });
});
