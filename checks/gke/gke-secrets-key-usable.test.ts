import { describe } from 'vitest';
import { itEvaluatesCases } from '../lib/cases.ts';
import { aCryptoKey, aGkeCluster } from './builders.ts';
import check from './gke-secrets-key-usable.ts';

const primary = (state: string | number, destroyTime?: string) =>
  aCryptoKey({ cryptoKey: { primary: { state: state as string, ...(destroyTime ? { destroyTime } : {}) } } });

describe('GKE.ENCRYPTION.2 gke-secrets-key-usable', () => {
  itEvaluatesCases(check, aGkeCluster, [
    ['ENABLED', {}, 'PASS', 'cryptoKeyVersions/3 is ENABLED'],
    ['DISABLED', { secretsKey: primary('DISABLED') }, 'FAIL', 'the primary version is disabled (DISABLED)'],
    [
      'DESTROY_SCHEDULED, with the date',
      { secretsKey: primary('DESTROY_SCHEDULED', '2026-06-20T00:00:00.000Z') },
      'FAIL',
      'will be destroyed on 2026-06-20T00:00:00.000Z',
    ],
    ['DESTROYED', { secretsKey: primary('DESTROYED', '2026-05-01T00:00:00.000Z') }, 'FAIL', 'was destroyed on'],
    ['PENDING_GENERATION', { secretsKey: primary('PENDING_GENERATION') }, 'FAIL', 'still being generated'],
    ['key deleted', { secretsKey: aCryptoKey({ cryptoKey: undefined, notFound: true }) }, 'FAIL', 'does not exist'],
    [
      'no primary version',
      { secretsKey: aCryptoKey({ cryptoKey: { primary: undefined } }) },
      'FAIL',
      'has no primary version',
    ],
    [
      'an asymmetric key',
      { secretsKey: aCryptoKey({ cryptoKey: { purpose: 'ASYMMETRIC_SIGN' } }) },
      'FAIL',
      'not ENCRYPT_DECRYPT',
    ],
    ['a state it does not know', { secretsKey: primary('NEW_STATE') }, 'ERROR', 'NEW_STATE is not known'],
    ['state not sent', { secretsKey: primary('') }, 'ERROR', '(none sent)'],
    ['gap: key never read', { secretsKey: undefined }, 'ERROR', 'Cloud KMS was not read'],
    [
      'gap: cross-project key, permission denied',
      {
        secretsKey: aCryptoKey({ cryptoKey: undefined }),
        gaps: [
          {
            need: 'cloudkms:GetCryptoKey',
            code: 'AccessDenied',
            error: "AccessDenied: Permission 'cloudkms.cryptoKeys.get' denied",
          },
        ],
      },
      'ERROR',
      'cloudkms.cryptoKeys.get',
    ],
    [
      'encryption off',
      { cluster: { databaseEncryption: { state: 'DECRYPTED' } } },
      'NOT_APPLICABLE',
      'GKE.ENCRYPTION.1',
    ],
    [
      'state as a wire number (ENCRYPTED = 1)',
      { cluster: { databaseEncryption: { state: 1 as never } } },
      'PASS',
      'ENABLED',
    ],
    ['not a key name', { cluster: { databaseEncryption: { keyName: 'etcd' } } }, 'ERROR', 'not a Cloud KMS key name'],
  ]);
});
