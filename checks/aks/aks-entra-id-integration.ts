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
  reads: [
    'aks:ListManagedClusters aadProfile.{serverAppID,clientAppID} (deprecated: present only on the retired legacy integration)',
    'aks:ListManagedClusters aadProfile.managed',
  ],
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
    // `managed: true` says AKS-managed. Without it, the legacy integration is told by its own (deprecated) app ids,
    // not by `managed` being absent: legacy AAD is retired, and an answer that stops sending `managed` must not read
    // as legacy.
    const legacy = [aad?.serverAppID && 'serverAppID', aad?.clientAppID && 'clientAppID'].filter(Boolean) as string[];
    const evidence = {
      aadProfile: aad
        ? {
            managed: aad.managed ?? null,
            adminGroupObjectIDs: aad.adminGroupObjectIDs ?? [],
            legacyFields: legacy,
          }
        : null,
    };
    if (!aad)
      return [clusterResult(s, 'FAIL', 'aadProfile is absent: users are not authenticated by Entra ID', evidence)];
    if (aad.managed === true)
      return [clusterResult(s, 'PASS', 'Users authenticate with Entra ID (AKS-managed integration)', evidence)];
    if (legacy.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `The cluster uses legacy (non-managed) Entra ID integration, which is retired: aadProfile has ${legacy.join(' and ')}`,
          evidence,
        ),
      ];
    if (aad.managed === false)
      return [
        clusterResult(s, 'FAIL', 'aadProfile.managed is false: Entra ID integration is not AKS-managed', evidence),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        'Users authenticate with Entra ID: aadProfile is present without the legacy app ids (aadProfile.managed not sent)',
        evidence,
      ),
    ];
  },
});
