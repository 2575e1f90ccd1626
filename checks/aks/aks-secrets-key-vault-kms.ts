import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'AKS.ENCRYPTION.1',
  slug: 'aks-secrets-key-vault-kms',
  title: 'AKS cluster encrypts Kubernetes secrets in etcd with a Key Vault KMS key',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'encryption',
  needs: ['aks:ListManagedClusters'],
  reads: [
    'aks:ListManagedClusters securityProfile.azureKeyVaultKms.{enabled,keyId,keyVaultNetworkAccess}',
    'aks:ListManagedClusters diskEncryptionSetID (evidence only: node disks, not etcd)',
  ],
  frameworks: { 'cis-aks-1.8': ['5.3.1'] },
  risk: 'Without KMS etcd encryption, secrets are protected only by Azure platform disk encryption: you cannot rotate or revoke the key, restrict it with Key Vault access policy, or audit its use. A disk encryption set (diskEncryptionSetID) protects node OS disks, not etcd, and does not count.',
  remediation: {
    text: 'Enable KMS etcd encryption with a key in Azure Key Vault (private network access preferred), and grant the cluster identity encrypt/decrypt on it.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-azure-keyvault-kms --azure-keyvault-kms-key-id <key-id> --azure-keyvault-kms-key-vault-network-access Private --azure-keyvault-kms-key-vault-resource-id <vault-id>',
    url: 'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption',
  },
  references: ['https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption'],
  severityRationale:
    'Medium, as for EKS: data at rest is already encrypted by the platform; the gap is key control and audit.',
  evaluate(s) {
    const kms = s.cluster.securityProfile?.azureKeyVaultKms;
    const evidence = {
      azureKeyVaultKms: kms
        ? {
            enabled: kms.enabled ?? false,
            keyId: kms.keyId ?? null,
            keyVaultNetworkAccess: kms.keyVaultNetworkAccess ?? null,
          }
        : null,
      diskEncryptionSetID: s.cluster.diskEncryptionSetID ?? null,
    };
    if (kms?.enabled && kms.keyId?.trim())
      return [
        clusterResult(
          s,
          'PASS',
          `Secrets in etcd are encrypted with Key Vault key ${kms.keyId} (network access ${kms.keyVaultNetworkAccess ?? 'Public'})`,
          evidence,
        ),
      ];
    const disk = s.cluster.diskEncryptionSetID ? '; the disk encryption set protects node disks, not etcd' : '';
    const why = kms?.enabled
      ? 'azureKeyVaultKms is enabled but names no key'
      : 'securityProfile.azureKeyVaultKms is not enabled';
    return [clusterResult(s, 'FAIL', `No Key Vault KMS encryption of secrets: ${why}${disk}`, evidence)];
  },
});
