import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.ACCESS.1',
  slug: 'aks-local-accounts-disabled',
  title: 'AKS local accounts (the static cluster-admin credential) are disabled',
  provider: 'azure',
  service: 'aks',
  severity: 'high',
  category: 'access',
  needs: ['aks:ListManagedClusters'],
  reads: ['aks:ListManagedClusters disableLocalAccounts'],
  frameworks: { 'cis-aks-1.8': ['5.5.1'] },
  risk: 'With local accounts enabled, `az aks get-credentials --admin` (any principal with listClusterAdminCredential) yields a certificate that is cluster-admin, bypasses Entra ID and Conditional Access, is not tied to a person and cannot be revoked short of rotating the cluster CA.',
  remediation: {
    text: 'Integrate the cluster with Entra ID, grant admins through Entra groups or Azure RBAC, then disable local accounts.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-aad --disable-local-accounts',
    url: 'https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad',
  },
  references: ['https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad'],
  severityRationale: 'High: a non-revocable, unaudited cluster-admin credential is one ARM permission away.',
  evaluate(s) {
    const disabled = s.cluster.disableLocalAccounts === true;
    const evidence = { disableLocalAccounts: s.cluster.disableLocalAccounts ?? null };
    return disabled
      ? [clusterResult(s, 'PASS', 'Local accounts are disabled: every identity comes through Entra ID', evidence)]
      : [
          clusterResult(
            s,
            'FAIL',
            `Local accounts are enabled (disableLocalAccounts is ${s.cluster.disableLocalAccounts ?? 'not set'}): the static cluster-admin credential can be downloaded`,
            evidence,
          ),
        ];
  },
});
