import { defineCheck } from '../../core/check.ts';
import { secretsKeyEntry } from '../../core/snapshot.ts';
import { clusterResult, missingField } from './lib/results.ts';
import { parseMinor } from './lib/versions.ts';

/** First Kubernetes version on which EKS envelope-encrypts all API data with an AWS-owned key by default. */
const DEFAULT_ENVELOPE_FROM: readonly [number, number] = [1, 28];

/** true / false by Kubernetes version; undefined when the version is unknown. */
function hasDefaultEnvelopeEncryption(version: string | undefined): boolean | undefined {
  const v = parseMinor(version);
  if (!v) return undefined;
  return v[0] > DEFAULT_ENVELOPE_FROM[0] || (v[0] === DEFAULT_ENVELOPE_FROM[0] && v[1] >= DEFAULT_ENVELOPE_FROM[1]);
}

export default defineCheck({
  id: 'EKS.ENCRYPTION.1',
  slug: 'eks-secrets-kms-encryption',
  title: 'EKS cluster encrypts Kubernetes secrets with a customer-managed KMS key',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'encryption',
  needs: ['eks:DescribeCluster'],
  reads: [
    'eks:DescribeCluster cluster.encryptionConfig[].{resources,provider.keyArn} (resources empty: deprecated, all API data)',
  ],
  frameworks: { 'cis-eks-1.8': ['5.3.1'], securityhub: ['EKS.3'] },
  risk: 'Without a customer-managed KMS key in encryptionConfig, Kubernetes secrets are envelope-encrypted (on Kubernetes 1.28+) with an AWS-owned key that you cannot rotate on your schedule, revoke to crypto-shred the cluster data, restrict with a key policy, or audit: decrypt calls do not appear in your CloudTrail. On clusters older than 1.28 there is no envelope encryption at all, only disk-level encryption of etcd.',
  remediation: {
    text: 'Associate a symmetric customer-managed KMS key, in the cluster region, with the cluster. This cannot be undone: keep the key enabled and its key policy granting the cluster role access, or the API server loses access to its data.',
    cli: 'aws eks associate-encryption-config --cluster-name <cluster> --encryption-config \'[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:<region>:<account>:key/<key-id>"}}]\'',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_EncryptionConfig.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html',
  ],
  severityRationale:
    'Medium: on supported versions the data is already envelope-encrypted with an AWS-owned key, so the gap is key control (rotation, revocation, key policy) and audit of decrypts, not plaintext at rest; reading secrets still requires API or etcd access.',
  evaluate(s) {
    const cluster = s.cluster;
    if (!cluster) return [missingField(s, 'cluster', 'secrets encryption')];
    const entries = cluster.encryptionConfig ?? [];
    const configured = entries.map((e) => ({ resources: e.resources ?? [], keyArn: e.provider?.keyArn ?? null }));
    const defaultEnvelope = hasDefaultEnvelopeEncryption(cluster.version);
    const evidence = {
      kubernetesVersion: cluster.version ?? null,
      awsOwnedKeyEnvelopeEncryption: defaultEnvelope ?? 'unknown',
      encryptionConfig: configured,
    };

    const match = secretsKeyEntry(entries);
    if (match) {
      const keyArn = match.provider?.keyArn?.trim() ?? '';
      const scope =
        (match.resources ?? []).length === 0 ? ' (resources not listed; the key covers all Kubernetes API data)' : '';
      return [
        clusterResult(s, 'PASS', `Kubernetes secrets are encrypted with customer-managed KMS key ${keyArn}${scope}`, {
          ...evidence,
          keyArn,
        }),
      ];
    }

    const found =
      entries.length === 0
        ? `encryptionConfig is ${cluster.encryptionConfig ? 'empty' : 'absent'}`
        : `encryptionConfig has ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} but none names a KMS key for secrets (${configured
            .map((c) => `resources: ${c.resources.join('+') || 'none'}, keyArn: ${c.keyArn ?? 'none'}`)
            .join('; ')})`;
    const consequence =
      defaultEnvelope === false
        ? `Kubernetes ${cluster.version} predates EKS default envelope encryption (1.28+), so secrets have only disk-level encryption`
        : 'EKS encrypts API data only with its default AWS-owned key (Kubernetes 1.28+), so you cannot rotate, revoke, restrict by key policy or audit its use in CloudTrail';
    return [clusterResult(s, 'FAIL', `No customer-managed KMS key for secrets: ${found}; ${consequence}`, evidence)];
  },
});
