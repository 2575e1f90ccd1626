import type { EncryptionConfig } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, type EksClusterOverrides, evaluateOnce, TEST_KMS_KEY_ARN } from './builders.ts';
import { type CheckCase, itEvaluatesCases } from './cases.ts';
import check from './eks-secrets-kms-encryption.ts';

const encryption = (encryptionConfig: EncryptionConfig[] | undefined, version?: string): EksClusterOverrides => ({
  cluster: { encryptionConfig, ...(version ? { version } : {}) },
});
const OTHER_KEY = 'arn:aws:kms:eu-west-1:444455556666:key/0f9e8d7c-6b5a-4321-9876-fedcba987654';

const cases: CheckCase[] = [
  {
    name: 'passes when secrets are encrypted with a customer-managed KMS key, naming the key',
    overrides: {},
    status: 'PASS',
    says: [`customer-managed KMS key ${TEST_KMS_KEY_ARN}`],
  },
  {
    name: 'passes when the key is in another account',
    overrides: encryption([{ resources: ['secrets'], provider: { keyArn: OTHER_KEY } }]),
    status: 'PASS',
    says: [OTHER_KEY],
  },
  {
    name: 'passes when a later encryptionConfig entry carries the key',
    overrides: encryption([{ resources: ['secrets'] }, { resources: ['secrets'], provider: { keyArn: OTHER_KEY } }]),
    status: 'PASS',
    says: [OTHER_KEY],
  },
  {
    name: 'passes a key whose entry omits the deprecated resources field, since the key covers all API data',
    overrides: encryption([{ provider: { keyArn: TEST_KMS_KEY_ARN } }]),
    status: 'PASS',
    says: ['resources not listed'],
  },
  {
    name: 'fails when encryptionConfig is absent, explaining the AWS-owned default key',
    overrides: encryption(undefined),
    status: 'FAIL',
    says: ['encryptionConfig is absent', 'AWS-owned key', 'rotate, revoke, restrict by key policy or audit'],
  },
  {
    name: 'fails when encryptionConfig is empty',
    overrides: encryption([]),
    status: 'FAIL',
    says: ['encryptionConfig is empty'],
  },
  {
    name: 'fails when an entry lists secrets but names no key',
    overrides: encryption([{ resources: ['secrets'], provider: {} }]),
    status: 'FAIL',
    says: ['has 1 entry but none names a KMS key for secrets', 'resources: secrets, keyArn: none'],
  },
  {
    name: 'fails when an entry has a blank key ARN',
    overrides: encryption([{ resources: ['secrets'], provider: { keyArn: '  ' } }]),
    status: 'FAIL',
    says: ['none names a KMS key for secrets'],
  },
  {
    name: 'fails when the only keyed entry covers other resources but not secrets',
    overrides: encryption([{ resources: ['configmaps'], provider: { keyArn: TEST_KMS_KEY_ARN } }]),
    status: 'FAIL',
    says: [`resources: configmaps, keyArn: ${TEST_KMS_KEY_ARN}`],
  },
  {
    name: 'fails a pre-1.28 cluster without a key and says it has no envelope encryption at all',
    overrides: encryption(undefined, '1.27'),
    status: 'FAIL',
    says: ['Kubernetes 1.27 predates EKS default envelope encryption', 'only disk-level encryption'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ENCRYPTION.1 eks-secrets-kms-encryption', () => {
  itEvaluatesCases(check, cases);

  it('records the key ARN and the encryptionConfig it found as evidence', () => {
    const r = evaluateOnce(check, anEksCluster());
    expect(r.evidence).toMatchObject({
      keyArn: TEST_KMS_KEY_ARN,
      kubernetesVersion: '1.34',
      awsOwnedKeyEnvelopeEncryption: true,
      encryptionConfig: [{ resources: ['secrets'], keyArn: TEST_KMS_KEY_ARN }],
    });
  });

  it('lists what encryptionConfig does contain when it fails', () => {
    const r = evaluateOnce(check, anEksCluster(encryption([{ resources: ['secrets'] }], '1.27')));
    expect(r.evidence).toMatchObject({
      awsOwnedKeyEnvelopeEncryption: false,
      encryptionConfig: [{ resources: ['secrets'], keyArn: null }],
    });
  });

  it('marks the default AWS-owned-key encryption as unknown when the version is not reported', () => {
    const r = evaluateOnce(check, anEksCluster({ cluster: { version: undefined, encryptionConfig: undefined } }));
    expect(r.status).toBe('FAIL');
    expect(r.evidence).toMatchObject({ kubernetesVersion: null, awsOwnedKeyEnvelopeEncryption: 'unknown' });
  });

  it('yields ERROR through the engine when DescribeCluster could not be collected', () => {
    const s = anEksCluster({ gaps: [{ need: 'eks:DescribeCluster', error: 'throttled' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: 'EKS.ENCRYPTION.1' });
    expect(findings[0]?.message).toContain('eks:DescribeCluster: throttled');
  });
});
