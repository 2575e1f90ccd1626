import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, aSecretsKey } from './builders.ts';
import check from './eks-secrets-key-same-account.ts';
import { CROSS_ACCOUNT_KEY } from './fixtures.ts';

type Patch = Parameters<typeof anEksCluster>[0];
const run = (o: Patch) => runCheck(check, anEksCluster(o), aContext())[0]!;
const crossAccount = { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: CROSS_ACCOUNT_KEY } }] };

describe('EKS.ENCRYPTION.4 eks-secrets-key-same-account', () => {
  it.each<[string, Patch, string]>([
    ['own key', {}, 'PASS'],
    [
      'another account’s key, described',
      { cluster: crossAccount, secretsKey: aSecretsKey({ keyArn: CROSS_ACCOUNT_KEY }) },
      'FAIL',
    ],
    // The ARN names the owner: a refused DescribeKey does not hide the finding.
    [
      'another account’s key, DescribeKey denied',
      {
        cluster: crossAccount,
        secretsKey: aSecretsKey({ keyArn: CROSS_ACCOUNT_KEY, metadata: undefined }),
        gaps: [{ need: 'kms:DescribeKey', code: 'AccessDenied', error: 'AccessDeniedException' }],
      },
      'FAIL',
    ],
    [
      'not a KMS ARN',
      {
        cluster: { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: 'alias/eks' } }] },
        secretsKey: undefined,
      },
      'ERROR',
    ],
    ['no key', { cluster: { encryptionConfig: undefined } }, 'NOT_APPLICABLE'],
  ])('%s => %s', (_name, patch, status) => {
    expect(run(patch).status).toBe(status);
  });

  it('says why another account’s key matters', () => {
    expect(run({ cluster: crossAccount }).message).toMatch(
      /account 444455556666: that account can disable or delete it/,
    );
  });
});
