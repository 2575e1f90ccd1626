import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { epochDate, NOT_READ, secretsKeyOf } from './secrets-key.ts';

export default defineCheck({
  id: 'AKS.ENCRYPTION.2',
  slug: 'aks-secrets-key-usable',
  title: 'The Key Vault key that encrypts AKS Secrets exists, is enabled and has not expired',
  provider: 'azure',
  service: 'keyvault',
  severity: 'critical',
  category: 'encryption',
  needs: ['aks:ListManagedClusters', 'keyvault:ListVaults', 'keyvault:GetVault', 'keyvault:GetKey'],
  reads: [
    'aks:ListManagedClusters securityProfile.azureKeyVaultKms.{enabled,keyId,keyVaultResourceId}',
    'keyvault:GetKey (Keys.getVersion for the keyId version) attributes.{enabled,exp,nbf}',
    'keyvault:GetVault / keyvault:ListVaults (the vault exists)',
  ],
  frameworks: {},
  risk: 'The KMS plugin of the API server unwraps the data encryption keys of every Secret with this key version. Disabled, expired, not yet valid or deleted, it can no longer decrypt: pods that mount Secrets fail to start, controllers that read them stop, and a cluster whose key (or vault) is deleted past its soft-delete retention loses its Secrets for good.',
  remediation: {
    text: 'Re-enable the key version (or recover the deleted key or vault from soft delete), extend or remove its expiry, then rotate to a new version with az aks update --azure-keyvault-kms-key-id; protect the vault with purge protection and restrict who may disable keys.',
    cli: 'az keyvault key set-attributes --vault-name <vault> --name <key> --version <version> --enabled true --expires <new-date>',
    url: 'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption',
    'https://learn.microsoft.com/rest/api/keyvault/keyvault/keys/get-version',
  ],
  severityRationale:
    'Critical: the cluster loses (or is about to lose for good) the ability to read its own Secrets, an outage and possible data loss rather than a weakness.',
  evaluate(s, ctx) {
    const k = secretsKeyOf(s, 'the health of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyId, facts, evidence } = k;
    if (facts?.notFound)
      return [
        clusterResult(
          s,
          'FAIL',
          `${facts.notFound === 'vault' ? `Key Vault ${facts.vaultName}` : `Key ${keyId}`} does not exist (ARM answered NotFound): the cluster cannot decrypt its Secrets`,
          { ...evidence, notFound: facts.notFound },
        ),
      ];
    const attributes = facts?.key?.attributes;
    if (!attributes) return [clusterResult(s, 'ERROR', `Cannot evaluate ${keyId}: ${NOT_READ}`, evidence)];
    const expires = epochDate(attributes.expires);
    const notBefore = epochDate(attributes.notBefore);
    const facts2 = {
      ...evidence,
      enabled: attributes.enabled ?? null,
      expires: expires?.toISOString() ?? null,
      notBefore: notBefore?.toISOString() ?? null,
    };
    const now = ctx.now.getTime();
    const cannot = 'so the cluster cannot decrypt its Secrets';
    if (attributes.enabled === false)
      return [clusterResult(s, 'FAIL', `Key Vault key ${keyId} is disabled, ${cannot}`, facts2)];
    if (expires && expires.getTime() <= now)
      return [
        clusterResult(s, 'FAIL', `Key Vault key ${keyId} expired on ${expires.toISOString()}, ${cannot}`, facts2),
      ];
    if (notBefore && notBefore.getTime() > now)
      return [
        clusterResult(
          s,
          'FAIL',
          `Key Vault key ${keyId} is not valid before ${notBefore.toISOString()}, ${cannot}`,
          facts2,
        ),
      ];
    if (attributes.enabled !== true)
      return [clusterResult(s, 'ERROR', `Key Vault key ${keyId}: attributes.enabled was not sent`, facts2)];
    return [clusterResult(s, 'PASS', `Key Vault key ${keyId} that encrypts Secrets is enabled and valid`, facts2)];
  },
});
