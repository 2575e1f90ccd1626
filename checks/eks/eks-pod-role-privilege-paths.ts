import { defineCheck } from '../../core/check.ts';
import type { Severity } from '../../core/severity.ts';
import { type PowerLevel, podRolePaths } from '../lib/iam-paths.ts';
import { IAM_DETAILS, iamUnavailable, pathsResult } from './lib/paths.ts';
import { missingField } from './lib/results.ts';

const WHAT = 'what pod roles can do';

const SEVERITY: Record<PowerLevel, Severity> = {
  'admin-equivalent': 'critical',
  'privilege-escalation': 'high',
  'data-access': 'medium',
  none: 'info',
};

export default defineCheck({
  id: 'EKS.IDENTITY.6',
  slug: 'eks-pod-role-privilege-paths',
  title: 'Pod roles (Pod Identity, IRSA) hold no admin-equivalent, escalation or account-wide data permissions',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'identity',
  needs: [
    'eks:DescribeCluster',
    'eks:ListPodIdentityAssociations',
    'eks:DescribePodIdentityAssociation',
    'iam:ListRoles',
    IAM_DETAILS,
  ],
  reads: [
    'DescribePodIdentityAssociation.association.roleArn / targetRoleArn',
    'ListRoles[].AssumeRolePolicyDocument (IRSA trust on the cluster OIDC provider)',
    'GetAccountAuthorizationDetails.RoleDetailList[].RolePolicyList / AttachedManagedPolicies / PermissionsBoundary',
  ],
  frameworks: {},
  risk: "A pod's role is what an attacker gets from one remote code execution in the pod: no node escape, no Kubernetes permission needed. Admin-equivalent permissions (`*` or `iam:*`) are the whole account; iam:PassRole with a service that runs code, policy writes or a role it can assume that is stronger are the whole account a few calls later; s3:GetObject, secretsmanager:GetSecretValue, kms:Decrypt or ssm:GetParameter* on every resource read every secret the account holds.",
  remediation: {
    text: 'Scope each pod role to the resources its workload uses (named buckets, secrets, keys and parameters), drop IAM write actions and iam:PassRole, and cap what remains with a permissions boundary. Split a role shared by several workloads.',
    cli: 'aws eks describe-pod-identity-association --cluster-name <cluster> --association-id <id>',
    url: 'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_passrole.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  ],
  severityRationale:
    'Critical when a pod role is admin-equivalent (one compromised pod is the account); high for privilege escalation (the account, a few calls later); medium for reads of every bucket, secret, key or parameter.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = iamUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const p = podRolePaths(s);
    if (!p) return [];
    if (p.roles.length === 0 && p.unknown.length === 0) {
      return [
        {
          status: 'NOT_APPLICABLE',
          resourceId: s.arn,
          message: 'No pod gets an IAM role through Pod Identity or IRSA on this cluster',
          evidence: { missingRoles: p.missingRoles },
        },
      ];
    }
    const worst =
      p.roles.map((r) => r.level).sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b))[0] ?? 'none';
    const risky = p.roles.filter((r) => r.level !== 'none').length;
    return [
      pathsResult(s, {
        paths: p.paths,
        unknown: p.unknown,
        what: WHAT,
        found: () =>
          `Pods reach ${worst} through ${risky} of ${p.roles.length} pod role${p.roles.length === 1 ? '' : 's'}`,
        pass: `${p.roles.length} pod role${p.roles.length === 1 ? '' : 's'}, none admin-equivalent, able to escalate, or reading data account-wide`,
        severity: SEVERITY[worst],
        evidence: { podRoles: p.roles, ...(p.missingRoles.length > 0 ? { missingRoles: p.missingRoles } : {}) },
      }),
    ];
  },
});

const LEVEL_ORDER: PowerLevel[] = ['admin-equivalent', 'privilege-escalation', 'data-access', 'none'];
