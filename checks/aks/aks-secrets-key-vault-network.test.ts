import { describe } from 'vitest';
import { itEvaluatesCases } from '../lib/cases.ts';
import check from './aks-secrets-key-vault-network.ts';
import { anAksCluster, aSecretsKey } from './builders.ts';

const vault = (properties: Record<string, unknown>) =>
  aSecretsKey({ vault: { properties: { publicNetworkAccess: undefined, networkAcls: undefined, ...properties } } });
const publicKms = { securityProfile: { azureKeyVaultKms: { keyVaultNetworkAccess: 'Public' } } };

describe('AKS.ENCRYPTION.4 aks-secrets-key-vault-network', () => {
  itEvaluatesCases(check, anAksCluster, [
    ['private vault', {}, 'PASS', 'public network access disabled'],
    [
      'public access, firewall denies by default',
      {
        cluster: publicKms,
        secretsKey: vault({
          publicNetworkAccess: 'Enabled',
          networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '203.0.113.0/24' }] },
        }),
      },
      'PASS',
      'denies by default (1 IP rules',
    ],
    [
      'az keyvault create defaults (no property, no firewall)',
      { cluster: publicKms, secretsKey: vault({}) },
      'FAIL',
      "public network access is Enabled and the firewall's default action is Allow (keyVaultNetworkAccess Public)",
    ],
    [
      'firewall Allow',
      {
        cluster: publicKms,
        secretsKey: vault({ publicNetworkAccess: 'Enabled', networkAcls: { defaultAction: 'Allow' } }),
      },
      'FAIL',
      'reachable from every network',
    ],
    [
      'deny by default, but 0.0.0.0/0 allowed',
      {
        cluster: publicKms,
        secretsKey: vault({ networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '0.0.0.0/0' }] } }),
      },
      'FAIL',
      'its firewall allows 0.0.0.0/0',
    ],
    [
      'private KMS access but the vault is still open',
      { secretsKey: vault({ publicNetworkAccess: 'Enabled' }) },
      'FAIL',
      'keyVaultNetworkAccess Private',
    ],
    [
      'vault deleted',
      { secretsKey: aSecretsKey({ vault: undefined, notFound: 'vault' }) },
      'NOT_APPLICABLE',
      'AKS.ENCRYPTION.2',
    ],
    ['gap: vault never read', { secretsKey: aSecretsKey({ vault: undefined }) }, 'ERROR', 'not read'],
    [
      'gap: vault denied',
      {
        secretsKey: aSecretsKey({ vault: undefined }),
        gaps: [{ need: 'keyvault:GetVault', code: 'AccessDenied', error: 'AccessDenied: AuthorizationFailed' }],
      },
      'ERROR',
      'keyvault:GetVault',
    ],
    [
      'KMS off',
      { cluster: { securityProfile: { azureKeyVaultKms: undefined } } },
      'NOT_APPLICABLE',
      'AKS.ENCRYPTION.1',
    ],
  ]);
});
