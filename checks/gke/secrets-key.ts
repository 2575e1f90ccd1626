import type { CheckResult } from '../../core/check.ts';
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { type GkeSecretsKeyFacts, parseCryptoKeyName } from '../../core/snapshot-gke.ts';
import { clusterResult, ENUMS, enumName } from './lib.ts';

/**
 * The Cloud KMS key behind the cluster's Secrets for the key-health checks: a result to return as is (no key in
 * charge: NOT_APPLICABLE, GKE.ENCRYPTION.1's finding; a key name that is not a crypto key name: ERROR), or the key
 * with what Cloud KMS said. A key the cluster names but the snapshot lacks was never read: ERROR, never PASS.
 */
export function secretsKeyOf(
  s: GkeClusterSnapshot,
  what: string,
):
  | { result: CheckResult }
  | { keyName: string; keyProject: string; facts: GkeSecretsKeyFacts | undefined; evidence: Record<string, unknown> } {
  const d = s.cluster.databaseEncryption;
  const state = enumName(d?.state, ENUMS.databaseEncryptionState) ?? 'unset';
  const keyName = d?.keyName?.trim() ?? '';
  if (!keyName || (state !== 'ENCRYPTED' && state !== 'ALL_OBJECTS_ENCRYPTION_ENABLED'))
    return {
      result: clusterResult(
        s,
        'NOT_APPLICABLE',
        `databaseEncryption puts no Cloud KMS key in charge (state ${state}; GKE.ENCRYPTION.1 reports it)`,
      ),
    };
  const parsed = parseCryptoKeyName(keyName);
  if (!parsed)
    return {
      result: clusterResult(s, 'ERROR', `Cannot evaluate ${what}: keyName ${keyName} is not a Cloud KMS key name`, {
        keyName,
      }),
    };
  const facts = s.secretsKey?.keyName === keyName ? s.secretsKey : undefined;
  return { keyName, keyProject: parsed.project, facts, evidence: { keyName, keyProject: parsed.project } };
}

export const NOT_READ = 'Cloud KMS was not read for this key (no cloudkms:GetCryptoKey answer in the snapshot)';
