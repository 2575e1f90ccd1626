import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { DAY_MS, epochDate, NOT_READ, secretsKeyOf } from './secrets-key.ts';

/** Days of warning before the key expires: time for a change window to rotate the key and roll the cluster's KMS. */
export const EXPIRY_WARNING_DAYS = 30;

export default defineCheck({
  id: 'AKS.ENCRYPTION.3',
  slug: 'aks-secrets-key-expiry',
  title: 'The Key Vault key that encrypts AKS Secrets does not expire within 30 days',
  provider: 'azure',
  service: 'keyvault',
  severity: 'high',
  category: 'encryption',
  needs: ['aks:ListManagedClusters', 'keyvault:ListVaults', 'keyvault:GetVault', 'keyvault:GetKey'],
  reads: [
    'aks:ListManagedClusters securityProfile.azureKeyVaultKms.keyId',
    'keyvault:GetKey (Keys.getVersion for the keyId version) attributes.exp',
  ],
  frameworks: {},
  risk: 'When the key version expires, Key Vault refuses to use it and the API server can no longer decrypt Secrets (AKS.ENCRYPTION.2). AKS does not follow Key Vault rotation on its own: a new version must be set on the cluster (az aks update) before the old one expires.',
  remediation: {
    text: 'Create a new key version (or let the rotation policy make one), point the cluster at it with az aks update --azure-keyvault-kms-key-id, then let the old version lapse; or extend the expiry if the key is still current.',
    cli: 'az aks update --resource-group <rg> --name <cluster> --enable-azure-keyvault-kms --azure-keyvault-kms-key-id <new-versioned-key-id>',
    url: 'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption#rotate-the-existing-keys',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption',
    'https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation',
  ],
  severityRationale:
    'High: nothing is broken yet, but the cluster is on a known date toward losing access to its Secrets (critical once it expires); 30 days leaves one change window.',
  evaluate(s, ctx) {
    const k = secretsKeyOf(s, 'the expiry of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyId, facts, evidence } = k;
    if (facts?.notFound)
      return [clusterResult(s, 'NOT_APPLICABLE', `Key ${keyId} does not exist (AKS.ENCRYPTION.2)`, evidence)];
    const attributes = facts?.key?.attributes;
    if (!attributes) return [clusterResult(s, 'ERROR', `Cannot evaluate ${keyId}: ${NOT_READ}`, evidence)];
    const expires = epochDate(attributes.expires);
    if (!expires)
      return [clusterResult(s, 'PASS', `Key Vault key ${keyId} has no expiry date`, { ...evidence, expires: null })];
    const days = Math.floor((expires.getTime() - ctx.now.getTime()) / DAY_MS);
    const facts2 = { ...evidence, expires: expires.toISOString(), daysLeft: days, warningDays: EXPIRY_WARNING_DAYS };
    if (expires.getTime() <= ctx.now.getTime())
      return [
        clusterResult(s, 'NOT_APPLICABLE', `Key Vault key ${keyId} has already expired (AKS.ENCRYPTION.2)`, facts2),
      ];
    if (days < EXPIRY_WARNING_DAYS)
      return [
        clusterResult(
          s,
          'FAIL',
          `Key Vault key ${keyId} expires on ${expires.toISOString()} (${days} days): rotate the cluster to a new key version before then`,
          facts2,
        ),
      ];
    return [
      clusterResult(s, 'PASS', `Key Vault key ${keyId} expires on ${expires.toISOString()} (${days} days)`, facts2),
    ];
  },
});
