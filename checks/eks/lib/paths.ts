/**
 * What the privilege-path checks (issue 13) share: ERROR when the account's IAM was not read, the one-line form of a
 * path, and the verdict from the paths found and the policies that could not be read (never PASS over those).
 */
import type { AccessPath } from '../../../core/access-paths.ts';
import type { CheckResult, EksClusterSnapshot } from '../../../core/check.ts';
import type { Severity } from '../../../core/severity.ts';
import { shortList } from './access.ts';
import { clusterResult } from './results.ts';

export const IAM_DETAILS = 'iam:GetAccountAuthorizationDetails';

/** What the cluster-admin path checks read: who holds cluster-admin (as EKS.ACCESS.3 reads it) and the account's IAM. */
export const CLUSTER_ADMIN_PATH_NEEDS = [
  'eks:DescribeCluster',
  'eks:ListAccessEntries',
  'eks:DescribeAccessEntry',
  'eks:ListAssociatedAccessPolicies',
  'k8s:aws-auth',
  IAM_DETAILS,
];

/** ERROR when the account's IAM authorization is not in the snapshot, naming the action and why; else undefined. */
export function iamUnavailable(s: EksClusterSnapshot, what: string): CheckResult | undefined {
  if (s.iamAuthorization) return undefined;
  const gap = s.gaps.find((g) => g.need === IAM_DETAILS);
  const why = gap ? gap.error : 'the account authorization details were not collected';
  return clusterResult(s, 'ERROR', `Cannot evaluate ${what}: ${IAM_DETAILS}: ${why}`, gap ? { gaps: [gap] } : {});
}

/** `user/alice (sts:AssumeRole) → role/deploy (eks:CreateAccessEntry + eks:AssociateAccessPolicy) → cluster-admin`. */
export function pathLine(p: AccessPath): string {
  const short = (arn: string) =>
    arn.replace(/^arn:aws[\w-]*:iam::(\d{12}):root$/, 'account $1').replace(/^arn:aws[\w-]*:iam::\d{12}:/, '');
  const segments: { principal: string; actions: string[] }[] = [];
  for (const h of p.hops) {
    const last = segments.at(-1);
    if (last && last.principal === h.principal) last.actions.push(h.action);
    else segments.push({ principal: h.principal, actions: [h.action] });
  }
  const line = segments.map((x) => `${short(x.principal)} (${x.actions.join(' + ')})`).join(' → ');
  return `${line} → ${p.reaches}${p.conditions.length > 0 ? ' (conditional)' : ''}`;
}

/** Facts every path result carries: whether SCPs were applied, and why not. */
export function scpEvidence(s: EksClusterSnapshot): Record<string, unknown> {
  const a = s.iamAuthorization;
  if (!a) return {};
  return a.serviceControlPolicies
    ? { serviceControlPolicies: 'applied' }
    : { serviceControlPolicies: `not applied: ${a.serviceControlPoliciesNote ?? 'not read'}` };
}

/**
 * The verdict: FAIL with the paths (severity by the worst), ERROR when none was found but some policy on the way
 * could not be read, PASS otherwise. `unknown` is listed in the evidence either way.
 */
export function pathsResult(
  s: EksClusterSnapshot,
  o: {
    paths: AccessPath[];
    unknown: readonly string[];
    /** The FAIL message's lead, given the number of paths. */
    found: (n: number) => string;
    pass: string;
    what: string;
    severity?: Severity;
    evidence?: Record<string, unknown>;
  },
): CheckResult {
  const evidence = {
    accessPaths: o.paths,
    ...(o.unknown.length > 0 ? { unreadPolicies: o.unknown } : {}),
    ...scpEvidence(s),
    ...o.evidence,
  };
  if (o.paths.length > 0) {
    const r = clusterResult(s, 'FAIL', `${o.found(o.paths.length)}: ${shortList(o.paths.map(pathLine), 3)}`, evidence);
    if (o.severity) r.severity = o.severity;
    return r;
  }
  if (o.unknown.length > 0) {
    return clusterResult(
      s,
      'ERROR',
      `Cannot evaluate ${o.what}: ${o.unknown.length} polic${o.unknown.length === 1 ? 'y' : 'ies'} could not be read: ${shortList([...o.unknown], 3)}`,
      evidence,
    );
  }
  return clusterResult(s, 'PASS', o.pass, evidence);
}

/** Critical when a path starts at an IAM user (long-lived keys), another account or anyone; else `base`. */
export function subjectSeverity(paths: readonly AccessPath[], base: Severity): Severity {
  return paths.some((p) => ['iam-user', 'external-account', 'anyone'].includes(p.subjectKind)) ? 'critical' : base;
}
