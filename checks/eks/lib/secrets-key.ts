import type { CheckResult } from '../../../core/check.ts';
import {
  type EksClusterSnapshot,
  type EksSecretsKeyFacts,
  kmsArnAccount,
  secretsKeyEntry,
} from '../../../core/snapshot.ts';
import { clusterResult, missingField } from './results.ts';

/**
 * The key behind the cluster's Secrets for the key-health checks: a result to return as is (no DescribeCluster:
 * ERROR; no key: NOT_APPLICABLE, EKS.ENCRYPTION.1's finding), or the key ARN with what KMS said. A key named by
 * the cluster but absent from the snapshot was never read: the checks say ERROR, never PASS.
 */
export function secretsKeyOf(
  s: EksClusterSnapshot,
  what: string,
): { result: CheckResult } | { keyArn: string; facts: EksSecretsKeyFacts | undefined; owner: string | undefined } {
  if (!s.cluster) return { result: missingField(s, 'cluster', what) };
  const keyArn = secretsKeyEntry(s.cluster.encryptionConfig)?.provider?.keyArn?.trim();
  if (!keyArn)
    return {
      result: clusterResult(
        s,
        'NOT_APPLICABLE',
        'encryptionConfig names no customer-managed KMS key for Secrets (EKS.ENCRYPTION.1 reports it)',
      ),
    };
  const facts = s.secretsKey?.keyArn === keyArn ? s.secretsKey : undefined;
  return { keyArn, facts, owner: facts?.metadata?.AWSAccountId ?? kmsArnAccount(keyArn) };
}

export const NOT_READ = 'KMS was not read for this key (no kms:DescribeKey answer in the snapshot)';
