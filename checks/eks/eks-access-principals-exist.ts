import { defineCheck } from '../../core/check.ts';
import {
  authenticationMode,
  awsAuthMappings,
  awsAuthUnavailable,
  principalOf,
  readsAwsAuth,
  shortList,
} from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'whether mapped principals exist';

/** Records that `arn` is granted access `via` a path (module level: no closure per evaluation). */
function note(granted: Map<string, string[]>, arn: string, via: string): void {
  const vias = granted.get(arn);
  if (vias) vias.push(via);
  else granted.set(arn, [via]);
}

export default defineCheck({
  id: 'EKS.ACCESS.5',
  slug: 'eks-access-principals-exist',
  title: 'Every IAM principal granted cluster access still exists',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'access',
  needs: [
    'eks:DescribeCluster',
    'eks:ListAccessEntries',
    'eks:DescribeAccessEntry',
    'k8s:aws-auth',
    'iam:ListRoles',
    'iam:GetUser',
  ],
  reads: [
    'eks:DescribeAccessEntry accessEntry.{principalArn,type}',
    'k8s:aws-auth mapRoles[].rolearn, mapUsers[].userarn',
    'iam:ListRoles, iam:GetUser (the principal exists)',
  ],
  frameworks: {},
  risk: 'An access entry or aws-auth mapping outlives the IAM role or user it names. aws-auth matches by ARN, so anyone allowed to create a role or user of that name in the account inherits the access, including cluster-admin; a dangling grant is also a sign that access reviews are not happening.',
  remediation: {
    text: 'Delete the access entries and aws-auth mappings whose principal no longer exists, or, if the principal was recreated on purpose, recreate the access entry so it binds the new principal.',
    cli: 'aws eks delete-access-entry --cluster-name <cluster> --principal-arn <principal-arn>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/deleting-access-entries.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
  ],
  severityRationale:
    'High: re-creating the missing role or user name is enough to gain whatever the grant gives, often cluster-admin, and iam:CreateRole is held far more widely than cluster-admin.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const granted = new Map<string, string[]>();
    for (const { entry } of s.accessEntries) if (entry.principalArn) note(granted, entry.principalArn, 'access entry');
    if (readsAwsAuth(authenticationMode(s)))
      for (const m of awsAuthMappings(s.awsAuth)) note(granted, m.arn, `aws-auth ${m.source}`);

    const missing: { arn: string; via: string[] }[] = [];
    const unknown: string[] = [];
    const otherAccounts: string[] = [];
    let verified = 0;
    for (const [arn, via] of [...granted].sort(([a], [b]) => a.localeCompare(b))) {
      const p = principalOf(arn);
      // Only roles and users can be deleted and re-created by name; anything else is not this check's business.
      if (p.kind !== 'role' && p.kind !== 'user' && p.kind !== 'assumed-role') continue;
      if (p.accountId !== s.accountId) {
        otherAccounts.push(arn);
        continue;
      }
      const facts = s.iam[arn];
      if (!facts) unknown.push(arn);
      else if (!facts.exists) missing.push({ arn, via });
      else verified++;
    }
    const evidence = { missing, verified, otherAccountsNotVerified: otherAccounts, notCollected: unknown };
    const foreign = otherAccounts.length > 0 ? ` (${otherAccounts.length} in other accounts not verifiable)` : '';
    if (missing.length > 0) {
      return [
        clusterResult(
          s,
          'FAIL',
          `${missing.length} principal${missing.length === 1 ? '' : 's'} granted access no longer exist${missing.length === 1 ? 's' : ''}: ${shortList(missing.map((m) => `${m.arn} (${m.via.join(', ')})`))}`,
          evidence,
        ),
      ];
    }
    if (unknown.length > 0) {
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot evaluate ${WHAT}: no IAM facts collected for ${shortList(unknown)}`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'PASS',
        `All ${verified} principals of account ${s.accountId} granted access exist${foreign}`,
        evidence,
      ),
    ];
  },
});
