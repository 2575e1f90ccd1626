import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib/results.ts';
import { secretsKeyOf } from './lib/secrets-key.ts';

export default defineCheck({
  id: 'EKS.ENCRYPTION.4',
  slug: 'eks-secrets-key-same-account',
  title: 'The KMS key that encrypts EKS Secrets belongs to the cluster’s own account',
  provider: 'aws',
  service: 'kms',
  severity: 'medium',
  category: 'encryption',
  needs: ['eks:DescribeCluster'],
  reads: [
    'eks:DescribeCluster cluster.encryptionConfig[].provider.keyArn (its account field)',
    'kms:DescribeKey KeyMetadata.AWSAccountId (when readable)',
  ],
  frameworks: {},
  risk: 'A key in another account is governed by that account: its owner can disable the key, schedule its deletion or change its key policy, and the cluster then cannot decrypt its Secrets, with nothing in this account able to stop or even see it coming (the reader is usually refused kms:DescribeKey on it). It also lets the key owner audit, and through grants use, this cluster’s decrypts.',
  remediation: {
    text: 'Prefer a key in the cluster’s own account. If a central key account is a deliberate design, make sure that account is as tightly controlled as this one, protects the key against deletion and disabling (key policy, SCP), and grants this account kms:DescribeKey so the key’s health can be watched. EKS cannot change a cluster’s key: moving to an own-account key means a new cluster.',
    cli: 'aws kms get-key-policy --key-id <key-arn> --policy-name default --query Policy --output text',
    url: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html',
    'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html',
  ],
  severityRationale:
    'Medium: not an exposure by itself, but availability of every Secret depends on another account’s administrators and controls.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'the owner of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyArn, owner } = k;
    const evidence = { keyArn, keyOwner: owner ?? null, clusterAccount: s.accountId };
    if (!owner) return [clusterResult(s, 'ERROR', `Cannot tell which account owns ${keyArn}: not a KMS ARN`, evidence)];
    if (owner === s.accountId)
      return [clusterResult(s, 'PASS', `KMS key ${keyArn} belongs to the cluster's account`, evidence)];
    return [
      clusterResult(
        s,
        'FAIL',
        `KMS key ${keyArn} belongs to account ${owner}: that account can disable or delete it and cut the cluster off from its Secrets`,
        evidence,
      ),
    ];
  },
});
