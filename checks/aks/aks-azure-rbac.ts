import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.ACCESS.3',
  slug: 'aks-azure-rbac',
  title: 'AKS cluster authorizes Kubernetes access with Azure RBAC',
  provider: 'azure',
  service: 'aks',
  severity: 'low',
  category: 'access',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters aadProfile.enableAzureRBAC',
    'aks:ListManagedClusters aadProfile.managed (evidence only)',
  ],
  frameworks: { 'cis-aks-1.8': ['5.5.2'] },
  risk: 'Without Azure RBAC for Kubernetes authorization, in-cluster RoleBindings are the only record of who may do what: access is not visible or reviewable in Azure role assignments, and Privileged Identity Management cannot grant it just in time.',
  remediation: {
    text: 'Enable Azure RBAC for Kubernetes authorization and grant the built-in AKS RBAC roles to Entra groups.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-azure-rbac',
    url: 'https://learn.microsoft.com/azure/aks/manage-azure-rbac',
  },
  references: ['https://learn.microsoft.com/azure/aks/manage-azure-rbac'],
  severityRationale: 'Low: Kubernetes RBAC still applies; the gap is central governance and review of access.',
  evaluate(s) {
    const aad = s.cluster.aadProfile;
    const evidence = { enableAzureRbac: aad?.enableAzureRbac ?? null, entraId: Boolean(aad?.managed) };
    if (aad?.enableAzureRbac) return [clusterResult(s, 'PASS', 'Kubernetes authorization uses Azure RBAC', evidence)];
    return [
      clusterResult(
        s,
        'FAIL',
        aad
          ? 'aadProfile.enableAzureRbac is not true: authorization is Kubernetes RBAC only'
          : 'Azure RBAC is off: it requires Entra ID integration, which is absent',
        evidence,
      ),
    ];
  },
});
