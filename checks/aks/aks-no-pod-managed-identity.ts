import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.IDENTITY.2',
  slug: 'aks-no-pod-managed-identity',
  title: 'AKS cluster does not use the retired pod-managed identity add-on',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'identity',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters podIdentityProfile.{enabled,userAssignedIdentities} (a retired feature: read to find it)',
  ],
  frameworks: {},
  risk: 'Pod-managed identity (preview, deprecated in 2022 and retired in September 2025) intercepts the node metadata endpoint with a privileged NMI daemon; it receives no fixes, and any pod that bypasses NMI can obtain identities assigned to the node.',
  remediation: {
    text: 'Migrate workloads to Microsoft Entra Workload ID, then disable pod-managed identity.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --disable-pod-identity',
    url: 'https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity',
    'https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity',
  ],
  severityRationale: 'Medium: an unsupported component on the credential path of every pod that uses it.',
  evaluate(s) {
    const p = s.cluster.podIdentityProfile;
    const evidence = {
      podIdentityEnabled: p?.enabled ?? false,
      identities: (p?.userAssignedIdentities ?? []).map((i) => `${i.namespace}/${i.name}`),
    };
    return p?.enabled
      ? [
          clusterResult(
            s,
            'FAIL',
            `Pod-managed identity (retired) is enabled with ${evidence.identities.length} identit${evidence.identities.length === 1 ? 'y' : 'ies'}`,
            evidence,
          ),
        ]
      : [clusterResult(s, 'PASS', 'Pod-managed identity is not enabled', evidence)];
  },
});
