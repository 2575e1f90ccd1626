import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, aSecretsKey } from './builders.ts';
import check from './eks-secrets-key-usable.ts';

type Patch = Parameters<typeof anEksCluster>[0];
const run = (o: Patch) => runCheck(check, anEksCluster(o), aContext())[0]!;

describe('EKS.ENCRYPTION.2 eks-secrets-key-usable', () => {
  it.each<[string, Patch, string, string]>([
    ['Enabled', {}, 'PASS', 'is Enabled'],
    [
      'PendingDeletion, with the date',
      {
        secretsKey: aSecretsKey({
          metadata: { KeyState: 'PendingDeletion', DeletionDate: new Date('2026-06-20T00:00:00Z') },
        }),
      },
      'FAIL',
      'will be deleted on 2026-06-20T00:00:00.000Z',
    ],
    ['Disabled', { secretsKey: aSecretsKey({ metadata: { KeyState: 'Disabled' } }) }, 'FAIL', 'the key is disabled'],
    [
      'PendingImport',
      { secretsKey: aSecretsKey({ metadata: { KeyState: 'PendingImport' } }) },
      'FAIL',
      'no key material',
    ],
    ['Unavailable', { secretsKey: aSecretsKey({ metadata: { KeyState: 'Unavailable' } }) }, 'FAIL', 'custom key store'],
    [
      'deleted (NotFound)',
      { secretsKey: aSecretsKey({ metadata: undefined, notFound: true }) },
      'FAIL',
      'does not exist',
    ],
    [
      'a state it does not know',
      { secretsKey: aSecretsKey({ metadata: { KeyState: 'Updating' } }) },
      'ERROR',
      'Updating',
    ],
    ['KeyState not sent', { secretsKey: aSecretsKey({ metadata: { KeyState: undefined } }) }, 'ERROR', '(none sent)'],
    [
      'gap: DescribeKey denied (cross-account)',
      {
        secretsKey: aSecretsKey({ metadata: undefined }),
        gaps: [{ need: 'kms:DescribeKey', code: 'AccessDenied', error: 'AccessDeniedException: not authorized' }],
      },
      'ERROR',
      'AccessDenied',
    ],
    ['gap: key named but never read', { secretsKey: undefined }, 'ERROR', 'KMS was not read'],
    [
      'no key for Secrets',
      { cluster: { encryptionConfig: [] }, secretsKey: undefined },
      'NOT_APPLICABLE',
      'EKS.ENCRYPTION.1',
    ],
    ['no DescribeCluster', { cluster: undefined }, 'ERROR', 'DescribeCluster'],
  ])('%s => %s', (_name, patch, status, message) => {
    const r = run(patch);
    expect(r.status).toBe(status);
    expect(r.message).toContain(message);
  });

  it('never reads facts of another key than the one the cluster names', () => {
    const r = run({ secretsKey: aSecretsKey({ keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/other' }) });
    expect(r.status).toBe('ERROR');
  });
});
