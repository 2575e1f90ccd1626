import { describe, expect, it } from 'vitest';
import { frameworkById } from '../../checks/frameworks/index.ts';
import { checks } from '../../checks/index.ts';
import { complianceReports } from '../../core/compliance.ts';
import { aFinding, aReport } from '../../test/findings.ts';
import { toHtml } from '../html.ts';
import { complianceSection } from './compliance.ts';

const findings = [
  aFinding({ cluster: 'prod', checkId: 'EKS.ENDPOINT.1', status: 'FAIL' }),
  aFinding({ cluster: '<img src=x onerror=alert(1)>', checkId: 'EKS.ENDPOINT.1', status: 'PASS' }),
];
const compliance = complianceReports(findings, [frameworkById('cis-eks-1.8')!], checks);

describe('HTML compliance section', () => {
  it('is absent without --compliance, and linked from the navigation with it', () => {
    expect(complianceSection(undefined).value).toBe('');
    expect(toHtml(aReport(findings), checks)).not.toContain('id="compliance"');
    const page = toHtml({ ...aReport(findings), compliance }, checks);
    expect(page).toContain('<a href="#compliance">Compliance</a>');
    expect(page).toContain('<h2 id="compliance">Compliance</h2>');
  });

  it('lists every control with its verdicts, failing clusters, and guidance for controls no check judges', () => {
    const html = complianceSection(compliance).value;
    const rows = html.match(/<tr><td><b>/g) ?? [];
    expect(rows).toHaveLength(frameworkById('cis-eks-1.8')!.controls.length);
    const endpoint = html.slice(html.indexOf('<b>5.4.1</b>'), html.indexOf('<b>5.4.2</b>'));
    expect(endpoint).toContain('st-FAIL">1 FAIL');
    expect(endpoint).toContain('st-PASS">1 PASS');
    expect(endpoint).toMatch(/Failing:.*prod/);
    const manual = html.slice(html.indexOf('<b>2.1.2</b>'), html.indexOf('<b>3.1.1</b>'));
    expect(manual).toContain('>manual<');
    expect(manual).toMatch(/SIEM/);
    expect(html).toMatch(/Coverage: \d+ of 50 controls checked/);
  });

  it('escapes cluster names', () => {
    const withFail = complianceReports(
      [aFinding({ cluster: '<img src=x onerror=alert(1)>', checkId: 'EKS.ENDPOINT.1', status: 'FAIL' })],
      [frameworkById('cis-eks-1.8')!],
      checks,
    );
    const html = complianceSection(withFail).value;
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });
});
