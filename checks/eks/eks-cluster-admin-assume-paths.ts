import { defineCheck } from '../../core/check.ts';
import { clusterAdminPaths, MAX_ASSUME_DEPTH } from '../lib/iam-paths.ts';
import { awsAuthUnavailable } from './lib/access.ts';
import { CLUSTER_ADMIN_PATH_NEEDS, iamUnavailable, pathsResult, subjectSeverity } from './lib/paths.ts';
import { missingField } from './lib/results.ts';

const WHAT = 'who can assume a role holding cluster-admin';

export default defineCheck({
  id: 'EKS.ACCESS.7',
  slug: 'eks-cluster-admin-assume-paths',
  title: 'No IAM principal can assume its way to a role that holds or can grant cluster-admin',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'access',
  needs: CLUSTER_ADMIN_PATH_NEEDS,
  reads: [
    'GetAccountAuthorizationDetails.RoleDetailList[].AssumeRolePolicyDocument',
    'GetAccountAuthorizationDetails.RoleDetailList / UserDetailList / GroupDetailList / Policies',
    'ListAssociatedAccessPolicies.associatedAccessPolicies',
  ],
  frameworks: {},
  risk: `Cluster-admin held by a role is held by everyone who may assume that role, and by everyone who may assume a role that may assume it. A trust policy naming the account root hands the role to every principal of the account whose policies allow sts:AssumeRole on it (often through a broad "sts:AssumeRole on *"); a trust naming another account hands it to that account's administrators; "*" hands it to anyone. Chains are followed ${MAX_ASSUME_DEPTH} roles deep.`,
  remediation: {
    text: 'Name the exact principals in the trust policy of every role that holds or can grant cluster-admin (an SSO permission set role, a break-glass user group), require MFA or an external id in its conditions, and drop sts:AssumeRole on * from other principals. Remove trust of other accounts unless they are meant to administer the cluster.',
    cli: 'aws eks list-associated-access-policies --cluster-name <cluster> --principal-arn <role-arn>',
    url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html',
  },
  references: [
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html',
  ],
  severityRationale:
    'High: each path is a principal outside the reviewed cluster-admin list that becomes cluster-admin with a few API calls; critical when it starts at an IAM user, another account or anyone.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = iamUnavailable(s, WHAT) ?? awsAuthUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const a = clusterAdminPaths(s);
    if (!a) return [];
    const paths = a.assumes;
    return [
      pathsResult(s, {
        paths,
        unknown: a.assumeUnknown,
        what: WHAT,
        found: (n) => `${n} principal${n === 1 ? '' : 's'} can assume a role that holds or can grant cluster-admin`,
        pass: 'No principal can assume a role that holds or can grant cluster-admin',
        severity: subjectSeverity(paths, 'high'),
        evidence: { clusterAdmins: a.holders.map((h) => h.principalArn), maxDepth: MAX_ASSUME_DEPTH },
      }),
    ];
  },
});
