import { defineCheck } from '../../core/check.ts';
import {
  authenticationMode,
  awsAuthMappings,
  awsAuthUnavailable,
  MASTERS_GROUP,
  readsAwsAuth,
  shortList,
} from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the aws-auth mappings';

export default defineCheck({
  id: 'EKS.ACCESS.2',
  slug: 'eks-aws-auth-no-masters-or-accounts',
  title: 'aws-auth maps no principal into system:masters and maps no whole accounts',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'access',
  needs: ['eks:DescribeCluster', 'k8s:aws-auth'],
  reads: ['k8s:aws-auth mapRoles[].groups, mapUsers[].groups (system:masters)', 'k8s:aws-auth mapAccounts'],
  frameworks: { 'cis-eks-1.8': ['4.1.7'] },
  risk: 'system:masters bypasses RBAC entirely: no RoleBinding can restrict or revoke it, and a principal mapped into it through aws-auth is an unlisted cluster-admin that neither the EKS API nor IAM shows. mapAccounts maps every IAM user and role of the listed accounts into the cluster, so any principal created there later can authenticate.',
  remediation: {
    text: 'Replace system:masters mappings with access entries associated with AmazonEKSClusterAdminPolicy (revocable, visible in the EKS API), replace mapAccounts with one access entry per principal that needs access, then move the cluster to authenticationMode API.',
    cli: 'aws eks create-access-entry --cluster-name <cluster> --principal-arn <role-arn> && aws eks associate-access-policy --cluster-name <cluster> --principal-arn <role-arn> --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
    'https://github.com/aws/containers-roadmap/issues/795',
  ],
  severityRationale:
    'High: a system:masters mapping is irrevocable cluster-admin outside RBAC, and mapAccounts grants authentication to principals that do not exist yet; either is a direct path to cluster takeover, short of critical only because the principals still need IAM credentials.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const mode = authenticationMode(s);
    if (!readsAwsAuth(mode)) {
      return [
        clusterResult(
          s,
          'PASS',
          'authenticationMode is API: EKS does not read aws-auth, so nothing it maps grants access',
          {
            authenticationMode: mode,
          },
        ),
      ];
    }
    const unavailable = awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const mappings = awsAuthMappings(s.awsAuth);
    const masters = mappings.filter((m) => m.groups.includes(MASTERS_GROUP));
    const mapAccounts = s.awsAuth?.mapAccounts ?? [];
    const evidence = {
      authenticationMode: mode,
      awsAuthExists: s.awsAuth?.exists ?? false,
      systemMasters: masters.map((m) => ({ source: m.source, arn: m.arn, username: m.username ?? null })),
      mapAccounts,
      mappings: mappings.length,
    };
    if (masters.length === 0 && mapAccounts.length === 0) {
      return [
        clusterResult(
          s,
          'PASS',
          s.awsAuth?.exists
            ? `aws-auth maps ${mappings.length} principal${mappings.length === 1 ? '' : 's'}, none into system:masters, and no accounts`
            : 'There is no aws-auth ConfigMap: it maps nobody',
          evidence,
        ),
      ];
    }
    const problems: string[] = [];
    if (masters.length > 0) problems.push(`maps ${shortList(masters.map((m) => m.arn))} into system:masters`);
    if (mapAccounts.length > 0) problems.push(`mapAccounts maps every principal of account ${mapAccounts.join(', ')}`);
    return [clusterResult(s, 'FAIL', `aws-auth ${problems.join('; ')}`, evidence)];
  },
});
