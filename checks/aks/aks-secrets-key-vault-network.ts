import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { secretsKeyOf } from './secrets-key.ts';

const WORLD = new Set(['0.0.0.0/0', '0.0.0.0', '::/0']);

export default defineCheck({
  id: 'AKS.ENCRYPTION.4',
  slug: 'aks-secrets-key-vault-network',
  title: 'The Key Vault holding the AKS Secrets key is not reachable from every network',
  provider: 'azure',
  service: 'keyvault',
  severity: 'medium',
  category: 'encryption',
  needs: ['aks:ListManagedClusters', 'keyvault:ListVaults', 'keyvault:GetVault'],
  reads: [
    'aks:ListManagedClusters securityProfile.azureKeyVaultKms.{keyId,keyVaultNetworkAccess,keyVaultResourceId}',
    'keyvault:GetVault properties.publicNetworkAccess',
    'keyvault:GetVault properties.networkAcls.{defaultAction,ipRules}',
  ],
  frameworks: {},
  risk: 'A vault open to all networks accepts data-plane calls from anywhere on the internet: Entra ID authentication and RBAC still apply, but a leaked token or a mis-granted role can be used to disable, delete or use the key that protects every Secret from any machine. AKS offers private vault access (keyVaultNetworkAccess Private, private link) precisely so that the firewall can be closed.',
  remediation: {
    text: 'Move the cluster to private vault access (keyVaultNetworkAccess Private with keyVaultResourceId) and disable public network access on the vault; or, while on Public access, at least set the vault firewall to deny by default and allow only the networks that need it.',
    cli: 'az keyvault update --name <vault> --resource-group <rg> --public-network-access Disabled',
    url: 'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption#turn-on-kms-for-a-private-key-vault',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption',
    'https://learn.microsoft.com/azure/key-vault/general/network-security',
  ],
  severityRationale:
    'Medium: not an exposure of the key by itself (every call is still authenticated and authorized), but it removes the network layer that would stop stolen credentials; as Defender for Cloud rates an open vault firewall.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'the network access of the Secrets key vault');
    if ('result' in k) return [k.result];
    const { facts, evidence, networkAccess } = k;
    if (facts?.notFound === 'vault')
      return [
        clusterResult(s, 'NOT_APPLICABLE', `Key Vault ${facts.vaultName} does not exist (AKS.ENCRYPTION.2)`, evidence),
      ];
    const props = facts?.vault?.properties;
    if (!props)
      return [
        clusterResult(
          s,
          'ERROR',
          'Cannot evaluate the vault of the Secrets key: Key Vault was not read (no keyvault:GetVault answer in the snapshot)',
          evidence,
        ),
      ];
    const vault = facts.vault?.name ?? facts.vaultName;
    // Absent means Enabled (vaults made before the property existed), and absent ACLs mean allow all.
    const publicNetworkAccess = props.publicNetworkAccess ?? 'Enabled';
    const acls = props.networkAcls;
    const defaultAction = acls?.defaultAction ?? 'Allow';
    const worldRules = (acls?.ipRules ?? []).map((r) => r.value).filter((v) => WORLD.has(v));
    const facts2 = {
      ...evidence,
      vault,
      publicNetworkAccess,
      networkAclsDefaultAction: defaultAction,
      ipRules: (acls?.ipRules ?? []).map((r) => r.value),
      virtualNetworkRules: (acls?.virtualNetworkRules ?? []).length,
    };
    if (publicNetworkAccess.toLowerCase() === 'disabled')
      return [clusterResult(s, 'PASS', `Key Vault ${vault} has public network access disabled`, facts2)];
    if (defaultAction.toLowerCase() === 'deny' && worldRules.length === 0)
      return [
        clusterResult(
          s,
          'PASS',
          `Key Vault ${vault} firewall denies by default (${facts2.ipRules.length} IP rules, ${facts2.virtualNetworkRules} network rules)`,
          facts2,
        ),
      ];
    const why =
      worldRules.length > 0
        ? `its firewall allows ${worldRules.join(', ')}`
        : `public network access is ${publicNetworkAccess} and the firewall's default action is ${defaultAction}`;
    return [
      clusterResult(
        s,
        'FAIL',
        `Key Vault ${vault}, which holds the Secrets key, is reachable from every network: ${why} (keyVaultNetworkAccess ${networkAccess})`,
        facts2,
      ),
    ];
  },
});
