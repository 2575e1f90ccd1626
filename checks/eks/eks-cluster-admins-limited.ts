import { defineCheck } from '../../core/check.ts';
import { awsAuthUnavailable, clusterAdmins, principalOf, shortList } from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'who holds cluster-admin';

export default defineCheck({
  id: 'EKS.ACCESS.3',
  slug: 'eks-cluster-admins-limited',
  title: 'Cluster-admin is held by few roles of the cluster account, and by no IAM user',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'access',
  needs: [
    'eks:DescribeCluster',
    'eks:ListAccessEntries',
    'eks:DescribeAccessEntry',
    'eks:ListAssociatedAccessPolicies',
    'k8s:aws-auth',
  ],
  reads: [
    'eks:DescribeCluster cluster.accessConfig.{authenticationMode,bootstrapClusterCreatorAdminPermissions}',
    'eks:ListAssociatedAccessPolicies associatedAccessPolicies[].{policyArn,accessScope}',
    'k8s:aws-auth mapRoles, mapUsers (system:masters)',
  ],
  frameworks: { 'cis-eks-1.8': ['4.1.7'] },
  risk: 'Every cluster-admin holder can read every Secret, run privileged pods and take over the nodes. IAM users carry long-lived access keys that leak; a principal from another account is governed by that account, whose administrators can hand the access on; and each extra holder widens who can own the cluster.',
  remediation: {
    text: "Keep cluster-admin (AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy at cluster scope, or system:masters) to a break-glass role and the platform team's role in the cluster account; give everyone else namespace-scoped access policies, and replace IAM users with roles assumed through SSO.",
    cli: 'aws eks disassociate-access-policy --cluster-name <cluster> --principal-arn <principal-arn> --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
  ],
  severityRationale:
    "High: cluster-admin is full control of the cluster and its workloads; an IAM user or foreign-account holder is a realistic route to it (leaked keys, another team's admins), short of critical because it still takes valid credentials.",
  evaluate(s, ctx) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const max = ctx.settings.access.maxClusterAdmins;
    const admins = clusterAdmins(s).map((a) => {
      const p = principalOf(a.principalArn);
      return { ...a, kind: p.kind, accountId: p.accountId || null };
    });
    const users = admins.filter((a) => a.kind === 'user');
    const foreign = admins.filter((a) => a.accountId !== s.accountId);
    const problems: string[] = [];
    if (users.length > 0)
      problems.push(`IAM user${users.length === 1 ? '' : 's'} ${shortList(users.map((a) => a.principalArn))}`);
    if (foreign.length > 0) {
      problems.push(`from outside account ${s.accountId}: ${shortList(foreign.map((a) => a.principalArn))}`);
    }
    if (admins.length > max) problems.push(`${admins.length} holders, more than the ${max} allowed`);
    const bootstrap = s.cluster.accessConfig?.bootstrapClusterCreatorAdminPermissions === true;
    const evidence = {
      clusterAdmins: admins,
      maxClusterAdmins: max,
      iamUsers: users.map((a) => a.principalArn),
      otherAccounts: foreign.map((a) => a.principalArn),
      ...(bootstrap
        ? { note: 'bootstrapClusterCreatorAdminPermissions is true: the creator may also hold admin (EKS.ACCESS.4)' }
        : {}),
    };
    const holders = `${admins.length} cluster-admin holder${admins.length === 1 ? '' : 's'}`;
    if (problems.length > 0) {
      return [
        clusterResult(
          s,
          'FAIL',
          `${holders}, including ${problems.join('; ')}: ${shortList(admins.map((a) => a.principalArn))}`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'PASS',
        admins.length === 0
          ? 'No principal holds cluster-admin through access entries or aws-auth'
          : `${holders}, all roles of account ${s.accountId}: ${shortList(admins.map((a) => `${a.principalArn} (${a.via.join('; ')})`))}`,
        evidence,
      ),
    ];
  },
});
