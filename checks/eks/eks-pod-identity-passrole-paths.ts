import { defineCheck } from '../../core/check.ts';
import { podIdentityHandover } from '../lib/iam-paths.ts';
import { IAM_DETAILS, iamUnavailable, pathsResult, subjectSeverity } from './lib/paths.ts';
import { missingField } from './lib/results.ts';

const WHAT = 'who can hand roles to pods';

export default defineCheck({
  id: 'EKS.IDENTITY.8',
  slug: 'eks-pod-identity-passrole-paths',
  title: 'No IAM principal can hand the roles it may pass to pods (eks:CreatePodIdentityAssociation with iam:PassRole)',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'identity',
  needs: ['eks:DescribeCluster', IAM_DETAILS],
  reads: ['GetAccountAuthorizationDetails.RoleDetailList / UserDetailList / GroupDetailList / Policies'],
  frameworks: {},
  risk: "eks:CreatePodIdentityAssociation with iam:PassRole lets a principal give any role it may pass to a service account of the cluster; whoever runs a pod under that service account then holds the role. With iam:PassRole on `*`, that is every role that trusts EKS Pod Identity, often including the platform's strongest. The association needs no Kubernetes permission, and it is a common grant to CI deployers.",
  remediation: {
    text: 'Grant eks:CreatePodIdentityAssociation only to the platform team, and scope iam:PassRole to the roles meant for pods with an iam:PassedToService condition of pods.eks.amazonaws.com and a resource list (or a path such as role/pods/*).',
    cli: 'aws eks list-pod-identity-associations --cluster-name <cluster>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html',
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_passrole.html',
  ],
  severityRationale:
    'High: the principal can put any role it may pass into a pod it controls; critical when it is an IAM user (long-lived keys) or outside the account.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const unavailable = iamUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const h = podIdentityHandover(s);
    if (!h) return [];
    return [
      pathsResult(s, {
        paths: h.paths,
        unknown: h.unknown,
        what: WHAT,
        found: (n) => `${n} principal${n === 1 ? '' : 's'} can create Pod Identity associations and pass roles to them`,
        pass: 'No principal can both create Pod Identity associations on this cluster and pass roles',
        severity: subjectSeverity(h.paths, 'high'),
      }),
    ];
  },
});
