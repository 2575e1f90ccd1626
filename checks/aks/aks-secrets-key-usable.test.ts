import { describe } from 'vitest';
import { TEST_NOW } from '../eks/builders.ts';
import { itEvaluatesCases } from '../lib/cases.ts';
import check from './aks-secrets-key-usable.ts';
import { anAksCluster, aSecretsKey } from './builders.ts';

const at = (days: number) => Math.floor(TEST_NOW.getTime() / 1000) + days * 86_400;

describe('AKS.ENCRYPTION.2 aks-secrets-key-usable', () => {
  itEvaluatesCases(check, anAksCluster, [
    ['enabled, expiring in a year', {}, 'PASS', 'is enabled and valid'],
    [
      'enabled, no expiry',
      { secretsKey: aSecretsKey({ key: { attributes: { expires: undefined } } }) },
      'PASS',
      'valid',
    ],
    ['disabled', { secretsKey: aSecretsKey({ key: { attributes: { enabled: false } } }) }, 'FAIL', 'is disabled'],
    [
      'expired yesterday',
      { secretsKey: aSecretsKey({ key: { attributes: { expires: at(-1) } } }) },
      'FAIL',
      'expired on 2026-05-31T12:00:00.000Z',
    ],
    [
      'not valid yet',
      { secretsKey: aSecretsKey({ key: { attributes: { notBefore: at(2) } } }) },
      'FAIL',
      'is not valid before',
    ],
    ['key version deleted', { secretsKey: aSecretsKey({ key: undefined, notFound: 'key' }) }, 'FAIL', 'does not exist'],
    [
      'vault deleted',
      { secretsKey: aSecretsKey({ vault: undefined, key: undefined, notFound: 'vault' }) },
      'FAIL',
      'Key Vault kv-payments does not exist',
    ],
    [
      'enabled not sent',
      { secretsKey: aSecretsKey({ key: { attributes: { enabled: undefined } } }) },
      'ERROR',
      'attributes.enabled was not sent',
    ],
    ['gap: key never read', { secretsKey: undefined }, 'ERROR', 'Key Vault was not read'],
    [
      'gap: the reader was refused the key',
      {
        secretsKey: aSecretsKey({ key: undefined }),
        gaps: [{ need: 'keyvault:GetKey', code: 'AccessDenied', error: 'AccessDenied: AuthorizationFailed' }],
      },
      'ERROR',
      'keyvault:GetKey: AccessDenied',
    ],
    [
      'gap: the vault is in no subscription the reader sees',
      {
        secretsKey: aSecretsKey({ vault: undefined, key: undefined }),
        gaps: [{ need: 'keyvault:ListVaults', code: 'NotFound', error: 'NotFound: no vault named kv-payments' }],
      },
      'ERROR',
      'no vault named kv-payments',
    ],
    [
      'snapshot about another key',
      { secretsKey: aSecretsKey({ keyId: 'https://kv-other.vault.azure.net/keys/etcd/0123' }) },
      'ERROR',
      'not read',
    ],
    [
      'not a Key Vault key URL',
      { cluster: { securityProfile: { azureKeyVaultKms: { keyId: 'etcd' } } } },
      'ERROR',
      'not a Key Vault key URL',
    ],
    [
      'KMS off',
      { cluster: { securityProfile: { azureKeyVaultKms: { enabled: false } } } },
      'NOT_APPLICABLE',
      'AKS.ENCRYPTION.1',
    ],
  ]);
});
