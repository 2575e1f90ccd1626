import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { aReconciledReport } from '../test/findings.ts';
import { toHtml } from './html.ts';

describe('HTML report', () => {
  const page = toHtml(aReconciledReport(), checks);

  it('leads with what changed: counts, new and regressed findings linked to their details, resolved and stale', () => {
    expect(page).toContain('<h2>What changed</h2>');
    expect(page).toMatch(
      /New<b>1<\/b>[\s\S]*Regressed<b>1<\/b>[\s\S]*Resolved<b>2<\/b>[\s\S]*Stale<b>1<\/b>[\s\S]*Suppressed<b>1<\/b>/,
    );
    const link = /<a href="#f-([0-9a-f]{32})"><b>EKS.ENDPOINT.1<\/b><\/a>/.exec(page);
    expect(link).not.toBeNull();
    expect(page).toContain(`id="f-${link![1]}"`);
    expect(page).toContain('resource no longer reported');
    expect(page).toContain('passes now');
    expect(page).toMatch(/Why not re-checked[\s\S]*eks:DescribeCluster: Throttled/);
  });

  it('shows the category × cloud matrix and, on each finding, its lifecycle, suppression, risk, remediation and controls', () => {
    expect(page).toMatch(
      /<th class="num">AWS \(EKS\)<\/th><th class="num">Azure \(AKS\)<\/th><th class="num">Google Cloud \(GKE\)<\/th>/,
    );
    expect(page).toContain('First seen 2026-05-31T08:00:00.000Z');
    expect(page).toMatch(/<b>suppressed<\/b> by entry 1 \(platform, until 2099-01-01\): sandbox, no data/);
    expect(page).toContain('<b>Risk.</b>');
    expect(page).toContain('Frameworks: cis-eks-1.8: 5.4.1');
  });

  it('escapes cloud data and needs no network: no script, no external resource', () => {
    expect(page).toContain('Public endpoint &lt;open&gt; to &quot;0.0.0.0/0&quot; &amp; ::/0');
    expect(page).not.toContain('<open>');
    expect(page).not.toMatch(/<script|<link|src="http|url\(http/);
  });
});
