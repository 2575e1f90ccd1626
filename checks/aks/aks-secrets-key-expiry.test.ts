import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, TEST_NOW } from '../eks/builders.ts';
import check from './aks-secrets-key-expiry.ts';
import { anAksCluster, aSecretsKey } from './builders.ts';

type Patch = Parameters<typeof anAksCluster>[0];
const run = (o: Patch) => runCheck(check, anAksCluster(o), aContext())[0]!;
const expiresIn = (days: number) =>
  aSecretsKey({ key: { attributes: { expires: Math.floor(TEST_NOW.getTime() / 1000) + days * 86_400 } } });

describe('AKS.ENCRYPTION.3 aks-secrets-key-expiry', () => {
  it.each<[string, Patch, string, string]>([
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
  ])('%s => %s', (_name, patch, status, says) => {
    const r = run(patch);
    expect(r.status).toBe(status);
    expect(r.message).toContain(says);
  });
});
