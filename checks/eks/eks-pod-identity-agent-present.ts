import { defineCheck } from '../../core/check.ts';
import { shortList } from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the Pod Identity agent';
export const POD_IDENTITY_AGENT = 'eks-pod-identity-agent';

export default defineCheck({
  id: 'EKS.IDENTITY.1',
  slug: 'eks-pod-identity-agent-present',
  title: 'Clusters with Pod Identity associations run the Pod Identity agent',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'identity',
  needs: [
    'eks:DescribeCluster',
    'eks:ListPodIdentityAssociations',
    'eks:DescribePodIdentityAssociation',
    'eks:ListAddons',
    'eks:DescribeAddon',
  ],
  reads: [
    'eks:DescribeCluster cluster.computeConfig.enabled (Auto Mode runs the agent itself)',
    'eks:DescribePodIdentityAssociation association.{namespace,serviceAccount}',
    'eks:DescribeAddon eks-pod-identity-agent {addonVersion,status}',
  ],
  frameworks: {},
  risk: 'Without the eks-pod-identity-agent, pods whose service account has a Pod Identity association get no role credentials: the AWS SDK credential chain falls through to the instance metadata service, so those pods silently run with the node role (shared by every pod on the node) or fail.',
  remediation: {
    text: 'Install the eks-pod-identity-agent add-on (EKS Auto Mode clusters include the agent). A self-managed agent DaemonSet is not visible to the EKS API: prefer the add-on so its presence can be verified.',
    cli: 'aws eks create-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html',
  ],
  severityRationale:
    "Medium: the associations do not work, and affected pods fall back to the node role's broader permissions; it takes a workload compromise to exploit, and nothing is exposed outside the cluster.",
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const associations = s.podIdentityAssociations.map((a) => `${a.namespace}/${a.serviceAccount}`);
    const addon = s.addons.find((a) => a.addonName === POD_IDENTITY_AGENT);
    const autoMode = s.cluster.computeConfig?.enabled === true;
    const evidence = {
      associations,
      agentAddon: addon ? { version: addon.addonVersion ?? null, status: addon.status ?? null } : null,
      autoMode,
    };
    if (associations.length === 0) {
      return [clusterResult(s, 'PASS', 'No Pod Identity associations: the agent is not needed', evidence)];
    }
    if (autoMode) {
      return [
        clusterResult(
          s,
          'PASS',
          `EKS Auto Mode includes the Pod Identity agent for ${associations.length} association(s)`,
          evidence,
        ),
      ];
    }
    if (addon) {
      return [
        clusterResult(
          s,
          'PASS',
          `The ${POD_IDENTITY_AGENT} add-on (${addon.addonVersion ?? 'version unknown'}, ${addon.status ?? 'status unknown'}) serves ${associations.length} association(s)`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'FAIL',
        `${associations.length} Pod Identity association(s) (${shortList(associations)}) but no ${POD_IDENTITY_AGENT} add-on and not Auto Mode: those pods get no role credentials and fall back to the node role`,
        evidence,
      ),
    ];
  },
});
