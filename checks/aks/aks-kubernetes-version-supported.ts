import { defineCheck } from '../../core/check.ts';
import { clusterResult, minorOf } from './lib.ts';

export default defineCheck({
  id: 'AKS.VERSIONS.1',
  slug: 'aks-kubernetes-version-supported',
  title: 'AKS cluster runs a Kubernetes version AKS still supports',
  provider: 'azure',
  service: 'aks',
  severity: 'high',
  category: 'versions',
  needs: ['aks:ListManagedClusters', 'aks:ListKubernetesVersions'],
  reads: [
    'aks:ListManagedClusters currentKubernetesVersion (else kubernetesVersion)',
    'aks:ListManagedClusters supportPlan',
    'aks:ListKubernetesVersions values[].{version,isPreview,capabilities.supportPlan}',
  ],
  frameworks: {},
  risk: 'A minor version AKS no longer lists receives no security patches and is outside support; a version listed only for long-term support is covered only on the Premium tier with supportPlan AKSLongTermSupport.',
  remediation: {
    text: 'Upgrade the control plane and node pools to a supported minor version (one step at a time), or enrol the cluster in long-term support.',
    cli: 'az aks upgrade --resource-group <rg> --name <cluster> --kubernetes-version <version>',
    url: 'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions',
    'https://learn.microsoft.com/azure/aks/long-term-support',
  ],
  severityRationale:
    'High: an unsupported control plane receives no fixes for new CVEs, and AKS may upgrade it on its own schedule.',
  evaluate(s) {
    const version = s.cluster.currentKubernetesVersion ?? s.cluster.kubernetesVersion;
    const v = minorOf(version);
    if (!v)
      return [
        clusterResult(s, 'ERROR', 'Cannot evaluate version support: the cluster reports no Kubernetes version', {}),
      ];
    const versions = s.kubernetesVersions;
    if (!versions)
      return [
        clusterResult(s, 'ERROR', 'Cannot evaluate version support: the supported versions were not collected', {}),
      ];
    const minor = `${v[0]}.${v[1]}`;
    const entry = versions.find((x) => x.version === minor && !x.isPreview);
    const plans = entry?.capabilities?.supportPlan ?? [];
    const supported = versions.filter((x) => !x.isPreview).map((x) => x.version ?? '');
    const evidence = {
      kubernetesVersion: version,
      supportPlan: s.cluster.supportPlan ?? null,
      listedSupportPlans: plans,
      supportedMinorVersions: supported,
    };
    if (!entry)
      return [
        clusterResult(
          s,
          'FAIL',
          `Kubernetes ${version} is no longer supported in ${s.region} (supported: ${supported.join(', ')})`,
          evidence,
        ),
      ];
    if (plans.includes('KubernetesOfficial'))
      return [
        clusterResult(s, 'PASS', `Kubernetes ${version} is supported (${minor} is in community support)`, evidence),
      ];
    if (s.cluster.supportPlan === 'AKSLongTermSupport')
      return [clusterResult(s, 'PASS', `Kubernetes ${version} is supported through AKS long-term support`, evidence)];
    return [
      clusterResult(
        s,
        'FAIL',
        `Kubernetes ${minor} is only in AKS long-term support, and the cluster's supportPlan is ${s.cluster.supportPlan ?? 'not set'}`,
        evidence,
      ),
    ];
  },
});
