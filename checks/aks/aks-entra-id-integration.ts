import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.ACCESS.2',
  slug: 'aks-entra-id-integration',
  title: 'AKS cluster authenticates users with Microsoft Entra ID',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'access',
  needs: ['aks:ListManagedClusters'],
  frameworks: { 'cis-aks-1.8': ['5.5.1'] },
  risk: 'Without managed Entra ID integration, Kubernetes users are certificates and tokens outside your identity provider: no MFA, no Conditional Access, no central offboarding.',
  remediation: {
    text: 'Enable AKS-managed Entra ID integration with an admin group.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-aad --aad-admin-group-object-ids <group-id>',
    url: 'https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id',
  },
  references: ['https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id'],
  severityRationale:
    'Medium: the gap is identity lifecycle and MFA for humans; it is a precondition for disabling local accounts.',
  evaluate(s) {
    const aad = s.cluster.aadProfile;
    const evidence = {
      aadProfile: aad ? { managed: aad.managed ?? false, adminGroupObjectIDs: aad.adminGroupObjectIDs ?? [] } : null,
    };
    if (aad?.managed)
      return [clusterResult(s, 'PASS', 'Users authenticate with Entra ID (AKS-managed integration)', evidence)];
    if (aad)
      return [
        clusterResult(
          s,
          'FAIL',
          'The cluster uses legacy (non-managed) Entra ID integration, which is retired',
          evidence,
        ),
      ];
    return [clusterResult(s, 'FAIL', 'aadProfile is absent: users are not authenticated by Entra ID', evidence)];
  },
});
