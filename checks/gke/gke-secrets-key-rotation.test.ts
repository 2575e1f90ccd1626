import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { aCryptoKey, aGkeCluster } from './builders.ts';
import check from './gke-secrets-key-rotation.ts';

type Patch = Parameters<typeof aGkeCluster>[0];
const run = (o: Patch) => runCheck(check, aGkeCluster(o), aContext())[0]!;
const rotation = (rotationPeriod: string | undefined) => aCryptoKey({ cryptoKey: { rotationPeriod } });

describe('GKE.ENCRYPTION.3 gke-secrets-key-rotation', () => {
  it.each<[string, Patch, string, string]>([
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
  ])('%s => %s', (_name, patch, status, says) => {
    const r = run(patch);
    expect(r.status).toBe(status);
    expect(r.message).toContain(says);
  });
});
