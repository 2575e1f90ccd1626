import { describe } from 'vitest';
import { itEvaluatesCases } from '../lib/cases.ts';
import { aCryptoKey, aGkeCluster } from './builders.ts';
import check from './gke-secrets-key-same-project.ts';

const keyIn = (project: string) => ({
  databaseEncryption: { keyName: `projects/${project}/locations/europe-west1/keyRings/gke/cryptoKeys/etcd` },
});

describe('GKE.ENCRYPTION.4 gke-secrets-key-same-project', () => {
  itEvaluatesCases(check, aGkeCluster, [
    ['own project', {}, 'PASS', "belongs to the cluster's project"],
    [
      'another project, key read',
      { cluster: keyIn('kms-central-9999') },
      'FAIL',
      'belongs to project kms-central-9999',
    ],
    // The key name says the project: a refused getCryptoKey does not hide the finding.
    [
      'another project, getCryptoKey denied',
      {
        cluster: keyIn('kms-central-9999'),
        secretsKey: aCryptoKey({ cryptoKey: undefined }),
        gaps: [{ need: 'cloudkms:GetCryptoKey', code: 'AccessDenied', error: 'AccessDenied' }],
      },
      'FAIL',
      'kms-central-9999',
    ],
    ['a project number', { cluster: keyIn('123456789012') }, 'ERROR', 'Cannot tell'],
    [
      'no key',
      { cluster: { databaseEncryption: { state: 'DECRYPTED', keyName: '' } } },
      'NOT_APPLICABLE',
      'GKE.ENCRYPTION.1',
    ],
  ]);
});
