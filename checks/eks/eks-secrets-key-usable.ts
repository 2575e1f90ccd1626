import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib/results.ts';
import { NOT_READ, secretsKeyOf } from './lib/secrets-key.ts';

/** Key states in which KMS refuses to decrypt: the API server can no longer read its Secrets. */
const UNUSABLE: Record<string, string> = {
  Disabled: 'the key is disabled',
  PendingDeletion: 'the key is scheduled for deletion',
  PendingReplicaDeletion: 'the replica key is scheduled for deletion',
  PendingImport: 'the key has no key material (awaiting import)',
  Unavailable: 'the key is unavailable (its custom key store is disconnected)',
};

export default defineCheck({
  id: 'EKS.ENCRYPTION.2',
  slug: 'eks-secrets-key-usable',
  title: 'The KMS key that encrypts EKS Secrets is enabled and not scheduled for deletion',
  provider: 'aws',
  service: 'kms',
  severity: 'critical',
  category: 'encryption',
  needs: ['eks:DescribeCluster', 'kms:DescribeKey'],
  reads: [
    'eks:DescribeCluster cluster.encryptionConfig[].provider.keyArn',
    'kms:DescribeKey KeyMetadata.KeyState',
    'kms:DescribeKey KeyMetadata.DeletionDate',
  ],
  frameworks: {},
  risk: 'EKS envelope-encrypts Secrets (and, since 2025, all Kubernetes API data) with this key. While it is disabled, pending import or unavailable, the API server cannot decrypt them: pods that mount Secrets fail to start and controllers that read them stop. Once a key pending deletion is deleted, the data is lost for good: AWS cannot recover the cluster.',
  remediation: {
    text: 'Cancel the deletion and re-enable the key (or reconnect its custom key store, or import its key material) before the deletion date; then find out who scheduled it and protect the key policy against kms:ScheduleKeyDeletion and kms:DisableKey.',
    cli: 'aws kms cancel-key-deletion --key-id <key-arn> && aws kms enable-key --key-id <key-arn>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html',
    'https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html',
    'https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html',
  ],
  severityRationale:
    'Critical: the cluster loses (or is about to lose for good) the ability to read its own Secrets, an outage and possible data loss rather than a weakness.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'the health of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyArn, facts } = k;
    if (facts?.notFound)
      return [
        clusterResult(
          s,
          'FAIL',
          `KMS key ${keyArn} does not exist (NotFoundException): the cluster cannot decrypt its Secrets`,
          {
            keyArn,
            keyState: 'NotFound',
          },
        ),
      ];
    const m = facts?.metadata;
    if (!m) return [clusterResult(s, 'ERROR', `Cannot evaluate the Secrets key ${keyArn}: ${NOT_READ}`, { keyArn })];
    const state = m.KeyState;
    const evidence = {
      keyArn,
      keyId: m.KeyId,
      keyState: state ?? null,
      keyManager: m.KeyManager ?? null,
      deletionDate: m.DeletionDate?.toISOString() ?? null,
    };
    if (state === 'Enabled')
      return [clusterResult(s, 'PASS', `KMS key ${keyArn} that encrypts Secrets is Enabled`, evidence)];
    if (state && UNUSABLE[state]) {
      const when =
        state === 'PendingDeletion' && m.DeletionDate ? `; it will be deleted on ${m.DeletionDate.toISOString()}` : '';
      return [
        clusterResult(
          s,
          'FAIL',
          `KMS key ${keyArn} is ${state}: ${UNUSABLE[state]}, so the cluster cannot decrypt its Secrets${when}`,
          evidence,
        ),
      ];
    }
    // Creating, Updating, a state added after this check: not known to be usable, so not a PASS.
    return [
      clusterResult(
        s,
        'ERROR',
        `KMS key ${keyArn} is in state ${state ?? '(none sent)'}, which this check does not know to be usable`,
        evidence,
      ),
    ];
  },
});
