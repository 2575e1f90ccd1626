import { defineCheck } from '../../core/check.ts';
import type { Severity } from '../../core/severity.ts';
import { shortList } from './lib/access.ts';
import { irsaRolesOf } from './lib/irsa.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'IRSA trust policies';

type Problem = 'no-sub' | 'wildcard-sub' | 'no-aud';
const SEVERITY: Record<Problem, Severity> = { 'no-sub': 'critical', 'wildcard-sub': 'high', 'no-aud': 'low' };
const SAYS: Record<Problem, string> = {
  'no-sub': 'no :sub condition, so any service account in the cluster can assume it',
  'wildcard-sub': 'a wildcard :sub',
  'no-aud': ':aud not pinned to sts.amazonaws.com',
};

export default defineCheck({
  id: 'EKS.IDENTITY.3',
  slug: 'eks-irsa-trust-scoped',
  title: 'Roles trusting the cluster OIDC provider are scoped to one service account',
  provider: 'aws',
  service: 'eks',
  severity: 'critical',
  category: 'identity',
  needs: ['eks:DescribeCluster', 'iam:ListRoles'],
  reads: [
    'eks:DescribeCluster cluster.identity.oidc.issuer',
    'iam:ListRoles AssumeRolePolicyDocument Condition <issuer>:sub and :aud',
  ],
  frameworks: { 'cis-eks-1.8': ['5.2.1'] },
  risk: "IRSA trust rests entirely on the conditions of the role's trust policy. Without a :sub condition, every service account of every namespace in the cluster, including any a compromised workload can create or mount, can assume the role; a wildcard :sub widens it to many. Without :aud pinned to sts.amazonaws.com, tokens minted for other audiences are also accepted.",
  remediation: {
    text: "In each role's trust policy, require StringEquals on <issuer>:sub = system:serviceaccount:<namespace>:<service-account> and <issuer>:aud = sts.amazonaws.com, or move the workload to EKS Pod Identity.",
    cli: 'aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer && aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
  ],
  severityRationale:
    "Critical when a role has no :sub condition: any pod in the cluster can become that AWS role. High for a wildcard :sub (many service accounts). Low when only :aud is unpinned, since the token must still come from this cluster's issuer for an allowed subject.",
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const { hostPath, roles, unparsed } = irsaRolesOf(s);
    if (!hostPath)
      return [clusterResult(s, 'PASS', 'The cluster has no OIDC issuer: no role can trust it for IRSA', {})];
    const findings: { roleArn: string; problems: Problem[]; subjects: string[] }[] = [];
    for (const { role, trust } of roles) {
      const problems = new Set<Problem>();
      for (const sub of trust.subjects) {
        if (sub.values.length === 0) problems.add('no-sub');
        else if (sub.wildcard) problems.add('wildcard-sub');
      }
      if (!trust.audiencePinned) problems.add('no-aud');
      if (problems.size > 0) {
        findings.push({
          roleArn: role.arn,
          problems: [...problems],
          subjects: trust.subjects.flatMap((x) => x.values),
        });
      }
    }
    const evidence = {
      oidcIssuer: hostPath,
      irsaRoles: roles.map((r) => ({ roleArn: r.role.arn, subjects: r.trust.subjects.flatMap((x) => x.values) })),
      problems: findings,
      unparsedTrustPolicies: unparsed,
    };
    if (findings.length > 0) {
      const worst = (['no-sub', 'wildcard-sub', 'no-aud'] as const).find((p) =>
        findings.some((f) => f.problems.includes(p)),
      )!;
      const text = findings.map(
        (f) =>
          `${f.roleArn} (${f.problems.map((p) => SAYS[p]).join('; ')}${f.subjects.length > 0 ? `; sub ${f.subjects.join(', ')}` : ''})`,
      );
      return [
        {
          ...clusterResult(
            s,
            'FAIL',
            `${findings.length} of ${roles.length} IRSA role(s) are loosely scoped: ${shortList(text, 3)}`,
            evidence,
          ),
          severity: SEVERITY[worst],
        },
      ];
    }
    if (unparsed.length > 0) {
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot evaluate ${WHAT}: unreadable trust policy on ${shortList(unparsed)}`,
          evidence,
        ),
      ];
    }
    if (roles.length === 0)
      return [clusterResult(s, 'PASS', `No role trusts this cluster's OIDC provider (${hostPath})`, evidence)];
    return [
      clusterResult(
        s,
        'PASS',
        `All ${roles.length} IRSA role(s) pin :sub to named service accounts and :aud to sts.amazonaws.com: ${shortList(
          roles.map((r) => r.role.arn),
          3,
        )}`,
        evidence,
      ),
    ];
  },
});
