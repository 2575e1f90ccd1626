import { describe } from 'vitest';
import { itEvaluatesCases } from '../lib/cases.ts';
import { aCryptoKey, aGkeCluster } from './builders.ts';
import check from './gke-secrets-key-rotation.ts';

const rotation = (rotationPeriod: string | undefined) => aCryptoKey({ cryptoKey: { rotationPeriod } });

describe('GKE.ENCRYPTION.3 gke-secrets-key-rotation', () => {
  itEvaluatesCases(check, aGkeCluster, [
    ['every 90 days', {}, 'PASS', 'rotates every 90 days (next 2026-07-01'],
    ['every 365 days', { secretsKey: rotation('31536000s') }, 'PASS', 'every 365 days'],
    ['every 400 days', { secretsKey: rotation('34560000s') }, 'FAIL', 'only every 400 days'],
    ['no rotation', { secretsKey: rotation(undefined) }, 'FAIL', 'has no automatic rotation'],
    [
      'no rotation on a disabled key',
      { secretsKey: aCryptoKey({ cryptoKey: { rotationPeriod: undefined, primary: { state: 'DISABLED' } } }) },
      'FAIL',
      'no automatic rotation',
    ],
    [
      'destroyed primary',
      { secretsKey: aCryptoKey({ cryptoKey: { primary: { state: 'DESTROYED' } } }) },
      'NOT_APPLICABLE',
      'GKE.ENCRYPTION.2',
    ],
    [
      'key deleted',
      { secretsKey: aCryptoKey({ cryptoKey: undefined, notFound: true }) },
      'NOT_APPLICABLE',
      'does not exist',
    ],
    ['gap: never read', { secretsKey: aCryptoKey({ cryptoKey: undefined }) }, 'ERROR', 'not read'],
    [
      'gap: throttled',
      {
        secretsKey: aCryptoKey({ cryptoKey: undefined }),
        gaps: [{ need: 'cloudkms:GetCryptoKey', code: 'Throttled', error: 'Throttled: RESOURCE_EXHAUSTED' }],
      },
      'ERROR',
      'Throttled',
    ],
  ]);
});
