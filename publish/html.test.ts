import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import type { CheckMeta } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import type { FindingLifecycle } from '../core/lifecycle.ts';
import type { ScanReport } from '../core/report.ts';
import { aFinding, aReconciledReport, aReport, clusterArn } from '../test/findings.ts';
import { toHtml } from './html.ts';

const AT = '2026-06-01T08:00:00.000Z';
const life = (state: FindingLifecycle['state'], extra: Partial<FindingLifecycle> = {}): FindingLifecycle => ({
  state,
  firstSeen: state === 'new' ? AT : '2026-05-20T10:15:42.123Z',
  lastSeen: AT,
  ...extra,
});

/** Every `href="#x"` of a page, and every `id="x"`. */
function anchors(page: string) {
  const hrefs = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
  const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  return { hrefs, ids };
}

/** The text a reader sees: no tags, no attribute values. */
const visibleText = (page: string) => page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]*>/g, ' ');

const AKS_ID =
  '/subscriptions/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourcegroups/rg-dev-aks/providers/Microsoft.ContainerService/managedClusters/dev-aks';
const GKE_ID = 'https://container.googleapis.com/v1/projects/shop-prod-4821/locations/europe-west1-b/clusters/batch';

const sup = {
  index: 0,
  check: 'EKS.ENDPOINT.1',
  resource: '*',
  reason: 'lab',
  owner: 'platform',
  expires: '2099-01-01',
};

/** A finding of a real check: its title, category and severity from the catalogue. */
function of(checkId: string, over: Parameters<typeof aFinding>[0] = {}): Finding {
  const meta = checks.find((c) => c.id === checkId)!;
  return aFinding({ checkId, title: meta.title, category: meta.category, severity: meta.severity, ...over });
}

/** A small multi-cloud fleet: every ordering case of the fix-first list, a check failing on several clusters. */
function aTriageReport(): ScanReport {
  const findings: Finding[] = [
    of('EKS.ENDPOINT.1', { cluster: 'old-critical', severity: 'critical', lifecycle: life('persisting') }),
    of('EKS.ENDPOINT.1', { cluster: 'old-high', lifecycle: life('persisting') }),
    of('EKS.ENDPOINT.1', { cluster: 'back-again', lifecycle: life('regressed') }),
    of('EKS.ENDPOINT.1', { cluster: 'accepted', lifecycle: life('persisting', { suppressed: sup }) }),
    of('EKS.VERSIONS.1', { cluster: 'fresh-critical', severity: 'critical', lifecycle: life('new') }),
    of('EKS.ENDPOINT.2', { cluster: 'fresh-critical', lifecycle: life('new') }),
    of('EKS.NODES.2', {
      cluster: 'fresh-critical',
      severity: 'high', // a result may be worse than its check's default
      resourceId: `${clusterArn('fresh-critical').replace(':cluster/', ':nodegroup/')}/gpu/77023767-f25f`,
      lifecycle: life('new'),
    }),
    of('EKS.ENCRYPTION.1', { cluster: 'fresh-critical', status: 'PASS', message: 'KMS key set' }),
    of('EKS.LOGGING.1', { cluster: 'fresh-critical', status: 'NOT_APPLICABLE', message: 'n/a' }),
    of('AKS.ACCESS.1', {
      provider: 'azure',
      cluster: 'dev-aks',
      accountId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      region: 'westeurope',
      clusterId: AKS_ID,
      lifecycle: life('new'),
    }),
    of('GKE.ENDPOINT.1', {
      provider: 'gcp',
      cluster: 'batch',
      accountId: 'shop-prod-4821',
      region: 'europe-west1-b',
      clusterId: GKE_ID,
      lifecycle: life('new'),
    }),
    of('EKS.LOGGING.1', { cluster: 'clean', status: 'PASS', message: 'audit logs on' }),
  ];
  return aReport(findings, {
    at: AT,
    errors: [
      {
        provider: 'aws',
        accountId: '333333333333',
        region: '*',
        stage: 'assume-role',
        code: 'AccessDenied',
        message: `Cannot assume arn:aws:iam::333333333333:role/KubepostureReader: ${'x'.repeat(300)}`,
      },
    ],
  });
}

describe('HTML report: triage first', () => {
  const page = toHtml(aTriageReport(), checks);

  it('opens with a fix-first list: critical and high FAILs, not suppressed, new and regressed first, then by severity', () => {
    const list = /<ol class="fix">([\s\S]*?)<\/ol>/.exec(page)?.[1] ?? '';
    const order = [...list.matchAll(/<span class="where">([^ ]+) /g)].map((m) => m[1]);
    // new and regressed (by severity, then cluster), then the rest
    expect(order).toEqual([
      'fresh-critical',
      'back-again',
      'batch',
      'dev-aks',
      'fresh-critical',
      'old-critical',
      'old-high',
    ]);
    expect(list).not.toContain('accepted');
    expect(list).not.toContain('EKS.ENDPOINT.2'); // medium
    expect(page.indexOf('id="fix-first"')).toBeLessThan(page.indexOf('id="matrix"'));
    expect(page.indexOf('id="fix-first"')).toBeLessThan(page.indexOf('id="clusters"'));
    // each row links to its finding
    expect([...list.matchAll(/<li>[\s\S]*?<\/li>/g)].every((m) => /href="#f-[0-9a-f]{32}"/.test(m[0]))).toBe(true);
  });

  it('has no dangling link and no duplicate id', () => {
    const { hrefs, ids } = anchors(page);
    expect(new Set(ids).size).toBe(ids.length);
    const idSet = new Set(ids);
    expect(hrefs.filter((h) => !idSet.has(h))).toEqual([]);
    expect(hrefs.length).toBeGreaterThan(20);
  });

  it('collapses every cluster, lists its FAILs first and folds its PASS and N/A results', () => {
    expect(page).not.toMatch(/<details[^>]*\bopen\b/);
    const from = page.indexOf('<details class="cluster"><summary><b>fresh-critical</b>');
    expect(from).toBeGreaterThan(0);
    const cluster = page.slice(from, page.indexOf('<details class="cluster">', from + 1));
    const at = (s: string) => cluster.indexOf(s);
    expect(at('EKS.VERSIONS.1')).toBeLessThan(at('EKS.NODES.2')); // critical before high
    expect(at('EKS.NODES.2')).toBeLessThan(at('EKS.ENDPOINT.2')); // high before medium
    expect(at('EKS.ENDPOINT.2')).toBeLessThan(at('<details><summary>1 passing, 1 not applicable</summary>'));
    expect(at('<details><summary>1 passing')).toBeLessThan(at('KMS key set'));
    // worst cluster first, a clean one last
    expect(page.indexOf('<b>fresh-critical</b>')).toBeLessThan(page.indexOf('<b>old-high</b>'));
    expect(page.indexOf('<b>old-high</b>')).toBeLessThan(page.indexOf('<b>clean</b>'));
    expect(page).toMatch(/<b>clean<\/b>[^\n]*no failing results/);
  });

  it('states each check’s risk and remediation once, in a catalogue the findings link to, with its docs', () => {
    const meta = checks.find((c) => c.id === 'EKS.ENDPOINT.1')!;
    expect(page.split(meta.risk).length - 1).toBe(1);
    expect(page.split(meta.remediation.text).length - 1).toBe(1);
    expect(page.split('id="c-EKS.ENDPOINT.1"').length - 1).toBe(1);
    expect(page.split('href="#c-EKS.ENDPOINT.1"').length - 1).toBe(4); // one per failing cluster
    expect(page).toContain(`<a href="${meta.remediation.url}" rel="noopener noreferrer">`);
    for (const ref of meta.references) expect(page).toContain(`href="${ref}"`);
    expect(page).toMatch(/id="c-EKS.ENDPOINT.1"[\s\S]*?Failing on: (<a href="#f-[0-9a-f]{32}">[a-z-]+<\/a>, ){3}<a/);
  });

  it('fills each failing finding’s command with its cluster, region, resource group, project and node group', () => {
    expect(page).toContain(
      '<pre class="cmd">aws eks update-cluster-config --name old-high --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs=&quot;203.0.113.0/24&quot; --region us-east-1</pre>',
    );
    expect(page).toContain('--cluster-name fresh-critical --nodegroup-name gpu');
    expect(page).toContain(
      'az aks update --resource-group rg-dev-aks --name dev-aks --enable-aad --disable-local-accounts --subscription 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    );
    expect(page).toContain('gcloud container clusters update batch --location europe-west1-b');
    expect(page).toContain('--project shop-prod-4821');
    const commands = [...page.matchAll(/<pre class="cmd">([^<]*)<\/pre>/g)].map((m) => m[1]!);
    expect(commands.filter((c) => /&lt;(cluster|region|rg|location|project|nodegroup)&gt;/.test(c))).toEqual([]);
  });

  it('colours the category × cloud matrix by the share failing and links each hot cell to its checks', () => {
    expect(page).toMatch(/<td class="h4" title="5 failing, 0 errors, 5 results"><a href="#m-aws-endpoint"><b>5<\/b>/);
    expect(page).toContain('<h3 id="m-aws-endpoint">AWS (EKS) · endpoint</h3>');
    expect(page).toMatch(/<td class="h0"[^>]*><b>0<\/b>/); // logging: no failure, not linked
  });

  it('shows times to the minute in UTC, never raw ISO timestamps', () => {
    expect(page).toContain('>2026-06-01 08:00 UTC</time>');
    expect(page).toContain(
      'Failing since <time datetime="2026-05-20T10:15:42.123Z" title="2026-05-20T10:15:42.123Z">2026-05-20 10:15 UTC</time>',
    );
    expect(visibleText(page)).not.toMatch(/\d\d:\d\d:\d\d(\.\d+)?Z/);
  });

  it('stays readable at 800 px: tables scroll inside a wrapper, long text wraps', () => {
    expect(page).toContain('@media (max-width:900px)');
    expect(page).toContain('.scroll{overflow-x:auto');
    const tables = page.split('<table').length - 1;
    expect(tables).toBeGreaterThan(3);
    expect(page.split('<div class="scroll"><table').length - 1).toBe(tables);
    expect(page).toMatch(/<td class="msg">Cannot assume/);
  });
});

describe('HTML report: lifecycle and delta', () => {
  const page = toHtml(aReconciledReport(), checks);

  it('shows what changed: counts, new and regressed linked to their details, resolved and stale folded', () => {
    expect(page).toContain('<h2 id="changes">What changed</h2>');
    expect(page).toMatch(
      /New<b>1<\/b>[\s\S]*Regressed<b>1<\/b>[\s\S]*Resolved<b>2<\/b>[\s\S]*Stale<b>1<\/b>[\s\S]*Suppressed<b>1<\/b>/,
    );
    const link = /<a href="#f-([0-9a-f]{32})"><b>EKS.ENDPOINT.1<\/b><\/a>/.exec(page);
    expect(link).not.toBeNull();
    expect(page).toContain(`id="f-${link![1]}"`);
    expect(page).toMatch(/<details><summary>Resolved \(2\)<\/summary>[\s\S]*resource no longer reported/);
    expect(page).toContain('passes now');
    expect(page).toMatch(
      /<summary>Stale \(1\)<\/summary>[\s\S]*Why not re-checked[\s\S]*eks:DescribeCluster: Throttled/,
    );
  });

  it('shows lifecycle, suppression and controls on the findings and in the catalogue', () => {
    expect(page).toContain('Failing since <time datetime="2026-05-31T08:00:00.000Z"');
    expect(page).toMatch(/<b>suppressed<\/b> by entry 1 \(platform, until 2099-01-01\): sandbox, no data/);
    expect(page).toContain('<b>Risk.</b>');
    expect(page).toContain('Frameworks: cis-eks-1.8: 5.4.1');
  });
});

describe('HTML report: safety', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&';
  const meta = checks.find((c) => c.id === 'EKS.ENDPOINT.1')!;
  const hostile: CheckMeta = {
    ...meta,
    remediation: { ...meta.remediation, url: 'javascript:alert(1)' },
    references: ['javascript:alert(2)'],
  };
  const report = aReport([
    aFinding({
      cluster: evil,
      clusterId: clusterArn('x'),
      accountId: `1${evil}`,
      region: `r${evil}`,
      message: `Public endpoint <open> to "0.0.0.0/0" & ::/0 \u202egnp.exe`,
      evidence: { tag: evil, [evil]: 1 },
      lifecycle: life('new'),
    }),
  ]);
  const page = toHtml(report, [hostile, ...checks.filter((c) => c.id !== meta.id)]);

  it('escapes every cloud value, in text, attributes and commands, and shows bidi controls', () => {
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<open>');
    expect(page).toContain('Public endpoint &lt;open&gt; to &quot;0.0.0.0/0&quot; &amp; ::/0 \\u202egnp.exe');
    expect(page).not.toContain('\u202e');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    // the cluster name is not a shell token: the command keeps its placeholder
    expect(page).toContain('<pre class="cmd">aws eks update-cluster-config --name &lt;cluster&gt;');
  });

  it('needs no network and runs nothing: no script, no external resource, no javascript: link', () => {
    expect(page).not.toMatch(/<script|<link|<iframe|<object|src="http|url\(http|javascript:/i);
    expect(page).not.toMatch(/<[a-z][^<>]*\son[a-z]+=/i); // no event handler inside a real tag
  });
});

/** A fleet of `clusters` clusters with 28 results each (3 FAIL, 1 ERROR, 23 PASS, 1 N/A), like a real scan's mix. */
function aHugeReport(clusters: number): ScanReport {
  const evidence = {};
  const lifecycle: FindingLifecycle = { state: 'new', firstSeen: AT, lastSeen: AT };
  const findings: Finding[] = [];
  const ids = ['EKS.ENDPOINT.1', 'EKS.VERSIONS.1', 'EKS.ENDPOINT.2', 'EKS.LOGGING.1'];
  for (let c = 0; c < clusters; c++) {
    const name = `cluster-${c}`;
    const clusterId = `arn:aws:eks:us-east-1:${String(100000000000 + (c % 1000))}:cluster/${name}`;
    const prefix = c.toString(16).padStart(8, '0');
    for (let r = 0; r < 28; r++) {
      const status = r < 3 ? 'FAIL' : r === 3 ? 'ERROR' : r === 27 ? 'NOT_APPLICABLE' : 'PASS';
      const severity = r === 0 && c % 50 === 0 ? 'critical' : r < 2 ? 'high' : 'medium';
      findings.push({
        id: `${prefix}${r}`,
        checkId: ids[r % ids.length]!,
        title: 'A check title of ordinary length for the report',
        category: 'endpoint',
        severity,
        status,
        provider: 'aws',
        accountId: String(100000000000 + (c % 1000)),
        region: 'us-east-1',
        clusterName: name,
        clusterId,
        resourceId: clusterId,
        message: 'A one-line message with the evidence of this result, as checks write them',
        evidence,
        lifecycle: status === 'FAIL' ? lifecycle : undefined,
      });
    }
  }
  return aReport(findings, {
    at: AT,
    targets: [{ provider: 'aws', accountId: '100000000000', region: 'us-east-1', status: 'scanned', clusters }],
  });
}

describe('HTML report: bounded for huge fleets', () => {
  it('keeps a 20,000-cluster report (560,000 results) to a few MB and a second, and says what it left out', () => {
    const report = aHugeReport(20_000);
    expect(report.findings).toHaveLength(560_000);
    const t0 = performance.now();
    const page = toHtml(report, checks, { omitted: 1234 });
    const ms = performance.now() - t0;
    expect(page.length).toBeLessThan(4_000_000);
    expect(ms).toBeLessThan(5_000); // ~0.5 s on one idle core; loose for a shared CI machine
    expect(page.split('<details class="cluster">').length - 1).toBe(300);
    expect(page).toContain('<b>1,234 more findings are in report.json</b>');
    expect(page).toContain('300 of 20,000 clusters are detailed below, worst first');
    expect(page).toContain('3,000 of 560,000 results are shown in detail');
    expect(page).toContain('… and 19,700 more clusters (19,700 with failing results) in report.json.');
    expect(page).toMatch(/40,000 critical or high failing findings[\s\S]*… and 39,950 more/);
    // the worst clusters (with a critical) come first, and every link resolves within the bounded page
    expect(page.indexOf('<b>cluster-0</b>')).toBeLessThan(page.indexOf('<b>cluster-50</b>'));
    expect(page).not.toContain('<b>cluster-1</b>');
    const { hrefs, ids } = anchors(page);
    const idSet = new Set(ids);
    expect(hrefs.filter((h) => !idSet.has(h))).toEqual([]);
  });

  it('takes its limits from the options, and says nothing is left out when nothing is', () => {
    const report = aHugeReport(30);
    const small = toHtml(report, checks, { maxClusters: 5, maxFindings: 40, maxFixFirst: 3 });
    expect(small.split('<details class="cluster">').length - 1).toBe(5);
    expect(small.split('<div class="finding"').length - 1).toBe(20); // 5 × (3 FAIL + 1 ERROR)
    expect(small.split('<tr id="f-').length - 1).toBe(20); // then passing rows, up to the budget
    expect(small.match(/<ol class="fix">([\s\S]*?)<\/ol>/)![1]!.split('<li>').length - 1).toBe(3);
    const full = toHtml(report, checks);
    expect(full).not.toContain('class="notice"');
    expect(full.split('<details class="cluster">').length - 1).toBe(30);
  });
});
