import { describe, expect, it } from 'vitest';
import type { AccessPath } from '../core/access-paths.ts';
import type { Finding } from '../core/finding.ts';
import { aFinding, aReport, clusterArn } from '../test/findings.ts';
import { accessPathsByCluster, formatAccessPaths } from './access-paths.ts';
import { toHtml } from './html.ts';
import { toJson } from './json.ts';

/** Synthetic results carrying `accessPaths` evidence, as the path checks (another module) produce them. */
const selfGrant: AccessPath = {
  subject: 'arn:aws:iam::444444444444:user/ops-alice',
  subjectKind: 'iam-user',
  reaches: 'cluster-admin',
  hops: [
    {
      principal: 'arn:aws:iam::444444444444:user/ops-alice',
      via: 'inline:eks-self-service#0',
      action: 'eks:CreateAccessEntry',
      resource: 'arn:aws:eks:us-east-1:444444444444:cluster/iam-paths',
    },
    {
      principal: 'arn:aws:iam::444444444444:user/ops-alice',
      via: 'inline:eks-self-service#0',
      action: 'eks:AssociateAccessPolicy',
      resource: 'arn:aws:eks:us-east-1:444444444444:access-entry/iam-paths/*',
    },
  ],
  conditions: [],
};
const withMfa: AccessPath = {
  ...selfGrant,
  subject: 'arn:aws:iam::444444444444:role/oncall',
  subjectKind: 'iam-role',
  conditions: ['{"Bool":{"aws:MultiFactorAuthPresent":"true"}}'],
};
const podAdmin: AccessPath = {
  subject: 'tools/automation',
  subjectKind: 'pod',
  reaches: 'admin-equivalent',
  hops: [
    {
      principal: 'arn:aws:iam::444444444444:role/pod-admin',
      via: 'arn:aws:iam::aws:policy/AdministratorAccess#0',
      action: '*',
      resource: '*',
    },
  ],
  conditions: [],
};

const CLUSTER = 'iam-paths';
const at = { cluster: CLUSTER, accountId: '444444444444', clusterId: clusterArn(CLUSTER, '444444444444') };
function pathFinding(checkId: string, severity: Finding['severity'], paths: unknown[], over: Partial<Finding> = {}) {
  return aFinding({
    ...at,
    checkId,
    severity,
    evidence: { accessPaths: paths },
    resourceId: `${at.clusterId}#${checkId}`,
    ...over,
  });
}
const findings = [
  pathFinding('EKS.PATH.POD', 'critical', [podAdmin]),
  pathFinding('EKS.PATH.GRANT', 'high', [withMfa, selfGrant, selfGrant]),
  // Not the shared shape: ignored, never guessed at.
  pathFinding('EKS.PATH.BROKEN', 'critical', [{ subject: 'x', hops: 'nope' }]),
  aFinding({ cluster: 'other', checkId: 'EKS.ENDPOINT.1' }),
];

describe('accessPathsByCluster', () => {
  it('groups the paths of results by cluster: cluster-admin first, unconditional before conditional, deduplicated', () => {
    const [c, ...rest] = accessPathsByCluster(findings);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ clusterName: CLUSTER, accountId: '444444444444', provider: 'aws' });
    expect(c!.paths.map((p) => [p.subject, p.reaches, p.conditional, p.checkId])).toEqual([
      ['arn:aws:iam::444444444444:user/ops-alice', 'cluster-admin', false, 'EKS.PATH.GRANT'],
      ['arn:aws:iam::444444444444:role/oncall', 'cluster-admin', true, 'EKS.PATH.GRANT'],
      ['tools/automation', 'admin-equivalent', false, 'EKS.PATH.POD'],
    ]);
    expect(c!.paths[2]!.findingId).toBe(findings[0]!.id);
  });

  it('is empty when no result carries a path', () => {
    expect(accessPathsByCluster([aFinding({}), aFinding({ evidence: { accessPaths: [] } })])).toEqual([]);
  });
});

describe('the reports', () => {
  it('JSON: a top-level accessPaths beside findings, absent when there are none (schema stays 2.0)', () => {
    const json = JSON.parse(toJson(aReport(findings)));
    expect(json.schemaVersion).toBe('2.0');
    expect(json.accessPaths).toHaveLength(1);
    expect(json.accessPaths[0].paths[1]).toMatchObject({ conditional: true, conditions: [withMfa.conditions[0]] });
    expect(JSON.parse(toJson(aReport([aFinding({})])))).not.toHaveProperty('accessPaths');
  });

  it('HTML: an Access paths section, hop by hop, conditional marked with its condition, escaped', () => {
    const evil = { ...podAdmin, subject: 'ns/<script>alert(1)</script>' };
    const page = toHtml(aReport([...findings, pathFinding('EKS.PATH.POD2', 'medium', [evil])]));
    expect(page).toContain('<a href="#access-paths">Access paths</a>');
    const section = page.slice(page.indexOf('<h2 id="access-paths">'), page.indexOf('<h2 id="clusters">'));
    expect(section).toContain('Who can become cluster-admin');
    expect(section).toContain('What pods and nodes can become');
    expect(section).toContain(
      '<code>eks:AssociateAccessPolicy</code> on <code>arn:aws:eks:us-east-1:444444444444:access-entry/iam-paths/*</code>',
    );
    expect(section).toMatch(/conditional<\/span>[\s\S]*only if <code>\{&quot;Bool&quot;/);
    expect(section).not.toContain('<script>');
    expect(section).toContain('ns/&lt;script&gt;');
    expect(toHtml(aReport([aFinding({})]))).not.toContain('access-paths');
  });

  it('HTML: bounded for huge fleets, saying how many more are in report.json', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      pathFinding(
        'EKS.PATH.POD',
        'high',
        Array.from({ length: 30 }, (_, j) => ({ ...podAdmin, subject: `ns/sa-${j}` })),
        {
          clusterName: `c${i}`,
          clusterId: clusterArn(`c${i}`),
          resourceId: clusterArn(`c${i}`),
        },
      ),
    );
    const page = toHtml(aReport(many));
    const section = page.slice(page.indexOf('<h2 id="access-paths">'), page.indexOf('<h2 id="clusters">'));
    expect(section.match(/<details class="cluster">/g)).toHaveLength(50);
    expect(section).toContain('… and 10 more clusters with access paths in report.json');
    expect(section).toContain('… and 5 more in report.json');
  });

  it('terminal: each path hop by hop, with totals', () => {
    const text = formatAccessPaths(accessPathsByCluster(findings));
    expect(text).toContain('iam-paths  aws 444444444444 us-east-1');
    expect(text).toContain(
      '    [high] arn:aws:iam::444444444444:user/ops-alice (iam-user) → cluster-admin   EKS.PATH.GRANT',
    );
    expect(text).toContain(
      '      2. eks:AssociateAccessPolicy on arn:aws:eks:us-east-1:444444444444:access-entry/iam-paths/*',
    );
    expect(text).toContain('    [high] (conditional) arn:aws:iam::444444444444:role/oncall');
    expect(text).toContain('      only if {"Bool":{"aws:MultiFactorAuthPresent":"true"}}');
    expect(text.trim().split('\n').at(-1)).toBe('3 access paths in 1 cluster (1 conditional).');
    expect(formatAccessPaths([])).toMatch(/^No access paths/);
  });
});
