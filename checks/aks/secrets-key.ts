import type { CheckResult } from '../../core/check.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { type AksSecretsKeyFacts, parseKeyVaultKeyId } from '../../core/snapshot-aks.ts';
import { clusterResult } from './lib.ts';

/**
 * The Key Vault key behind the cluster's Secrets for the key-health checks: a result to return as is (KMS off:
 * NOT_APPLICABLE, AKS.ENCRYPTION.1's finding; a key id that is not a Key Vault key URL: ERROR), or the key id with
 * what ARM said. A key the cluster names but the snapshot lacks was never read: the checks say ERROR, never PASS.
 */
export function secretsKeyOf(
  s: AksClusterSnapshot,
  what: string,
):
  | { result: CheckResult }
  | { keyId: string; facts: AksSecretsKeyFacts | undefined; networkAccess: string; evidence: Record<string, unknown> } {
  const kms = s.cluster.securityProfile?.azureKeyVaultKms;
  const keyId = kms?.enabled ? kms.keyId?.trim() : undefined;
  if (!keyId)
    return {
      result: clusterResult(
        s,
        'NOT_APPLICABLE',
        'securityProfile.azureKeyVaultKms names no Key Vault key for Secrets (AKS.ENCRYPTION.1 reports it)',
      ),
    };
  if (!parseKeyVaultKeyId(keyId))
    return {
      result: clusterResult(s, 'ERROR', `Cannot evaluate ${what}: keyId ${keyId} is not a Key Vault key URL`, {
        keyId,
      }),
    };
  const facts = s.secretsKey?.keyId === keyId ? s.secretsKey : undefined;
  // AKS's default when the field is absent.
  const networkAccess = kms?.keyVaultNetworkAccess ?? 'Public';
  return {
    keyId,
    facts,
    networkAccess,
    evidence: { keyId, keyVaultNetworkAccess: networkAccess, keyVaultResourceId: kms?.keyVaultResourceId ?? null },
  };
}

export const NOT_READ = 'Key Vault was not read for this key (no keyvault:GetKey answer in the snapshot)';

/** ARM's epoch seconds (`attributes.exp`, `nbf`) as a Date; undefined when absent or not a number. */
export function epochDate(seconds: unknown): Date | undefined {
  if (typeof seconds === 'number' && Number.isFinite(seconds)) return new Date(seconds * 1000);
  if (seconds instanceof Date) return seconds;
  return undefined;
}

export const DAY_MS = 86_400_000;
