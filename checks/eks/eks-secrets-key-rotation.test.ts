import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, aSecretsKey } from './builders.ts';
import check from './eks-secrets-key-rotation.ts';
import { CROSS_ACCOUNT_KEY } from './fixtures.ts';

type Patch = Parameters<typeof anEksCluster>[0];
const run = (o: Patch) => runCheck(check, anEksCluster(o), aContext())[0]!;

describe('EKS.ENCRYPTION.3 eks-secrets-key-rotation', () => {
  it.each<[string, Patch, string]>([
    ['rotation on', {}, 'PASS'],
    ['rotation off', { secretsKey: aSecretsKey({ rotationEnabled: false }) }, 'FAIL'],
    [
      'rotation off on a disabled key',
      { secretsKey: aSecretsKey({ metadata: { KeyState: 'Disabled' }, rotationEnabled: false }) },
      'FAIL',
    ],
    [
      'another account’s key',
      {
        cluster: { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: CROSS_ACCOUNT_KEY } }] },
        secretsKey: aSecretsKey({ keyArn: CROSS_ACCOUNT_KEY, rotationEnabled: undefined }),
      },
      'NOT_APPLICABLE',
    ],
    [
      'imported key material',
      { secretsKey: aSecretsKey({ metadata: { Origin: 'EXTERNAL' }, rotationEnabled: undefined }) },
      'NOT_APPLICABLE',
    ],
    [
      'pending deletion',
      { secretsKey: aSecretsKey({ metadata: { KeyState: 'PendingDeletion' }, rotationEnabled: undefined }) },
      'NOT_APPLICABLE',
    ],
    ['gap: rotation status never read', { secretsKey: aSecretsKey({ rotationEnabled: undefined }) }, 'ERROR'],
    [
      'gap: GetKeyRotationStatus denied',
      {
        secretsKey: aSecretsKey({ rotationEnabled: undefined }),
        gaps: [{ need: 'kms:GetKeyRotationStatus', code: 'AccessDenied', error: 'AccessDeniedException' }],
      },
      'ERROR',
    ],
    [
      'gap: DescribeKey denied',
      {
        secretsKey: aSecretsKey({ metadata: undefined, rotationEnabled: undefined }),
        gaps: [{ need: 'kms:DescribeKey', code: 'AccessDenied', error: 'AccessDeniedException' }],
      },
      'ERROR',
    ],
  ])('%s => %s', (_name, patch, status) => {
    expect(run(patch).status).toBe(status);
  });
});
