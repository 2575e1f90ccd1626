import type { Cluster } from '@aws-sdk/client-eks';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type CollectionGap, type EksSecretsKeyFacts, kmsArnAccount, secretsKeyEntry } from '../../core/snapshot.ts';
import { classifyAwsError, describeAwsError } from './errors.ts';

/** Key states in which KMS still reports rotation (GetKeyRotationStatus refuses the others with KMSInvalidStateException). */
const ROTATION_READABLE = new Set(['Enabled', 'Disabled']);

function gap(need: string, e: unknown, keyArn: string): CollectionGap {
  return { need, code: classifyAwsError(e), error: `${describeAwsError(e)} (key ${keyArn})` };
}

/**
 * The health of the key that encrypts the cluster's Secrets: DescribeKey on the key ARN of `encryptionConfig` (it
 * names its own account and region, so a key of another account is asked there, with the reader's credentials), and
 * for a customer-managed key of the cluster's own account with KMS-made key material, GetKeyRotationStatus. Never
 * throws: what KMS does not answer is a gap on the snapshot (AccessDenied is the common case for another account's
 * key), so the key checks say ERROR, never PASS. Undefined when the cluster names no key.
 */
export async function collectSecretsKey(
  kms: KMSClient,
  cluster: Cluster | undefined,
  accountId: string,
  gaps: CollectionGap[],
): Promise<EksSecretsKeyFacts | undefined> {
  const keyArn = secretsKeyEntry(cluster?.encryptionConfig)?.provider?.keyArn?.trim();
  if (!keyArn) return undefined;
  const facts: EksSecretsKeyFacts = { keyArn };
  try {
    // The response schema guarantees KeyMetadata (collectors/aws/responses.ts).
    facts.metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
  } catch (e) {
    if (classifyAwsError(e) === 'NotFound') facts.notFound = true;
    else gaps.push(gap('kms:DescribeKey', e, keyArn));
    return facts;
  }
  const m = facts.metadata;
  const owner = m?.AWSAccountId ?? kmsArnAccount(keyArn);
  if (
    m &&
    owner === accountId &&
    m.KeyManager === 'CUSTOMER' &&
    m.Origin !== 'EXTERNAL' &&
    ROTATION_READABLE.has(m.KeyState ?? '')
  ) {
    try {
      const r = await kms.send(new GetKeyRotationStatusCommand({ KeyId: m.Arn ?? keyArn }));
      facts.rotationEnabled = r.KeyRotationEnabled;
    } catch (e) {
      gaps.push(gap('kms:GetKeyRotationStatus', e, keyArn));
    }
  }
  return facts;
}
