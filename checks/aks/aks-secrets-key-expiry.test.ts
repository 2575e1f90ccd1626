import { describe } from 'vitest';
import { TEST_NOW } from '../eks/builders.ts';
import { itEvaluatesCases } from '../lib/cases.ts';
import check from './aks-secrets-key-expiry.ts';
import { anAksCluster, aSecretsKey } from './builders.ts';

const expiresIn = (days: number) =>
  aSecretsKey({ key: { attributes: { expires: Math.floor(TEST_NOW.getTime() / 1000) + days * 86_400 } } });

describe('AKS.ENCRYPTION.3 aks-secrets-key-expiry', () => {
  itEvaluatesCases(check, anAksCluster, [
    ['a year left', {}, 'PASS', '(365 days)'],
    [
      'no expiry date',
      { secretsKey: aSecretsKey({ key: { attributes: { expires: undefined } } }) },
      'PASS',
      'no expiry',
    ],
    ['exactly 30 days left', { secretsKey: expiresIn(30) }, 'PASS', '(30 days)'],
    ['29 days left', { secretsKey: expiresIn(29) }, 'FAIL', '(29 days): rotate'],
    ['expires in an hour', { secretsKey: expiresIn(1 / 24) }, 'FAIL', '(0 days)'],
    ['already expired', { secretsKey: expiresIn(-3) }, 'NOT_APPLICABLE', 'AKS.ENCRYPTION.2'],
    [
      'key deleted',
      { secretsKey: aSecretsKey({ key: undefined, notFound: 'key' }) },
      'NOT_APPLICABLE',
      'does not exist',
    ],
    ['gap: key never read', { secretsKey: aSecretsKey({ key: undefined }) }, 'ERROR', 'not read'],
    [
      'gap: throttled',
      {
        secretsKey: aSecretsKey({ key: undefined }),
        gaps: [{ need: 'keyvault:GetKey', code: 'Throttled', error: 'Throttled: TooManyRequests' }],
      },
      'ERROR',
      'Throttled',
    ],
  ]);
});
