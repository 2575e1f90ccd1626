import { defineCheck } from '../../core/check.ts';
import { clusterAdminPaths } from '../lib/iam-paths.ts';
import { awsAuthUnavailable } from './lib/access.ts';
import { CLUSTER_ADMIN_PATH_NEEDS, iamUnavailable, pathsResult, subjectSeverity } from './lib/paths.ts';
import { missingField } from './lib/results.ts';

const WHAT = 'who can grant cluster access through the EKS API';

export default defineCheck({
  id: 'EKS.ACCESS.6',
  slug: 'eks-cluster-access-grant-paths',
  title: 'No IAM principal besides the cluster-admins can grant cluster access through the EKS API',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'access',
  needs: CLUSTER_ADMIN_PATH_NEEDS,
  reads: [
    'GetAccountAuthorizationDetails.RoleDetailList / UserDetailList / GroupDetailList / Policies',
    'ListAssociatedAccessPolicies.associatedAccessPolicies',
    'DescribeCluster.cluster.accessConfig.authenticationMode',
  ],
  frameworks: {},
  risk: 'Whoever may call eks:CreateAccessEntry and eks:AssociateAccessPolicy on a cluster can make any principal, itself included, cluster-admin in one API call, without touching the cluster. eks:UpdateAccessEntry changes the Kubernetes groups of an existing entry, and eks:UpdateClusterConfig changes the authentication mode (turning the aws-auth ConfigMap back on). These are cluster-admin in all but name, and they sit in IAM policies (often `eks:*`) that cluster reviews never read.',
  remediation: {
    text: 'Grant eks:CreateAccessEntry, eks:AssociateAccessPolicy, eks:UpdateAccessEntry and eks:UpdateClusterConfig only to the roles that administer the cluster; scope other roles to eks:Describe*/eks:List*, or deny the access-entry actions with a permissions boundary or an SCP. Use condition keys eks:policyArn and eks:accessScope to limit which access policies a deployer may associate.',
    cli: 'aws eks list-access-entries --cluster-name <cluster>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
  ],
  severityRationale:
    'High: the principal can make itself cluster-admin without any Kubernetes permission; critical when it is an IAM user (long-lived keys) or outside the account.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = iamUnavailable(s, WHAT) ?? awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const a = clusterAdminPaths(s);
    if (!a) return [];
    const paths = a.grants;
    const subjects = new Set(paths.map((p) => p.subject)).size;
    return [
      pathsResult(s, {
        paths,
        unknown: a.grantUnknown,
        what: WHAT,
        found: () =>
          `${subjects} principal${subjects === 1 ? '' : 's'} besides the ${a.holders.length} cluster-admin${a.holders.length === 1 ? '' : 's'} can grant cluster access through the EKS API`,
        pass: `Only the ${a.holders.length} cluster-admin${a.holders.length === 1 ? '' : 's'} can grant cluster access through the EKS API`,
        severity: subjectSeverity(paths, 'high'),
        evidence: { clusterAdmins: a.holders.map((h) => h.principalArn) },
      }),
    ];
  },
});
