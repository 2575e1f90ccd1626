import { defineCheck } from '../../core/check.ts';
import { shortList } from './lib/access.ts';
import { irsaRolesOf } from './lib/irsa.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the workload identity mechanism';
/** EKS Pod Identity works on Kubernetes 1.24 and later. */
const POD_IDENTITY_FROM: readonly [number, number] = [1, 24];

function podIdentityAvailable(version: string | undefined): boolean | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > POD_IDENTITY_FROM[0] || (major === POD_IDENTITY_FROM[0] && minor >= POD_IDENTITY_FROM[1]);
}

export default defineCheck({
  id: 'EKS.IDENTITY.5',
  slug: 'eks-pod-identity-preferred',
  title: 'Clusters that give pods AWS roles use EKS Pod Identity where it is available',
  provider: 'aws',
  service: 'eks',
  severity: 'info',
  category: 'identity',
  needs: [
    'eks:DescribeCluster',
    'iam:ListRoles',
    'eks:ListPodIdentityAssociations',
    'eks:DescribePodIdentityAssociation',
  ],
  reads: [
    'eks:DescribeCluster cluster.{version,identity.oidc.issuer}',
    'eks:ListPodIdentityAssociations (count)',
    'iam:ListRoles (IRSA roles trusting the issuer)',
  ],
  frameworks: {},
  risk: 'IRSA puts the security of each role in a hand-written trust policy per cluster (the :sub and :aud conditions EKS.IDENTITY.3 checks) and needs an IAM OIDC provider per cluster. EKS Pod Identity keeps the pod-to-role mapping in the EKS API, where it is listed, audited in CloudTrail and cannot be widened by a trust-policy typo.',
  remediation: {
    text: 'Install the eks-pod-identity-agent add-on, create a Pod Identity association per service account, give the roles the Pod Identity trust policy, and retire the IRSA trust statements.',
    cli: 'aws eks create-pod-identity-association --cluster-name <cluster> --namespace <namespace> --service-account <service-account> --role-arn <role-arn>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html',
  ],
  severityRationale:
    'Info: a recommendation. IRSA done right is secure; Pod Identity makes it easier to keep right and to audit.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const { roles } = irsaRolesOf(s);
    const available = podIdentityAvailable(s.cluster.version);
    const evidence = {
      irsaRoles: roles.map((r) => r.role.arn),
      podIdentityAssociations: s.podIdentityAssociations.length,
      kubernetesVersion: s.cluster.version ?? null,
      podIdentityAvailable: available ?? 'unknown',
    };
    if (roles.length === 0)
      return [clusterResult(s, 'PASS', 'No IRSA roles: nothing to move to Pod Identity', evidence)];
    if (s.podIdentityAssociations.length > 0) {
      return [
        clusterResult(
          s,
          'PASS',
          `Uses Pod Identity (${s.podIdentityAssociations.length} association(s)) alongside ${roles.length} IRSA role(s)`,
          evidence,
        ),
      ];
    }
    if (available === false) {
      return [
        clusterResult(
          s,
          'PASS',
          `Relies on IRSA; Pod Identity needs Kubernetes 1.24+, this cluster runs ${s.cluster.version}`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'FAIL',
        `Relies only on IRSA (${roles.length} role(s): ${shortList(
          roles.map((r) => r.role.arn),
          3,
        )}) although EKS Pod Identity is available on Kubernetes ${s.cluster.version ?? '(version unknown)'}`,
        evidence,
      ),
    ];
  },
});
