import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { NOT_READ, secretsKeyOf } from './secrets-key.ts';

/** Primary version states in which Cloud KMS refuses to encrypt or decrypt with it. */
const UNUSABLE: Record<string, string> = {
  DISABLED: 'the primary version is disabled',
  DESTROY_SCHEDULED: 'the primary version is scheduled for destruction',
  DESTROYED: 'the primary version is destroyed',
  PENDING_GENERATION: 'the primary version is still being generated',
  PENDING_IMPORT: 'the primary version awaits its imported key material',
  IMPORT_FAILED: 'the primary version failed to import',
  GENERATION_FAILED: 'the primary version failed to generate',
  PENDING_EXTERNAL_DESTRUCTION: 'the primary version is being destroyed in the external key manager',
  EXTERNAL_DESTRUCTION_FAILED: 'the primary version could not be destroyed in the external key manager',
};

export default defineCheck({
  id: 'GKE.ENCRYPTION.2',
  slug: 'gke-secrets-key-usable',
  title: 'The Cloud KMS key that encrypts GKE Secrets exists and its primary version is enabled',
  provider: 'gcp',
  service: 'cloudkms',
  severity: 'critical',
  category: 'encryption',
  needs: ['gke:ListClusters', 'cloudkms:GetCryptoKey'],
  reads: [
    'gke:ListClusters databaseEncryption.{state,keyName}',
    'cloudkms:GetCryptoKey primary.{state,destroyTime}',
    'cloudkms:GetCryptoKey purpose',
  ],
  frameworks: {},
  risk: 'GKE wraps the data encryption keys of every Secret with the primary version of this key. Disabled, scheduled for destruction, destroyed or not yet generated, the control plane can neither write new Secrets nor read those it wrapped with it: workloads that mount Secrets fail, and once the version is destroyed the data it protected is lost for good (Google cannot recover it).',
  remediation: {
    text: 'Restore the version before its destroy time (gcloud kms keys versions restore) and enable it, or enable the primary version; then find out who disabled or scheduled it and restrict cloudkms.cryptoKeyVersions.destroy and .update on the key.',
    cli: 'gcloud kms keys versions restore <version> --key <key> --keyring <ring> --location <location> --project <project> && gcloud kms keys versions enable <version> --key <key> --keyring <ring> --location <location> --project <project>',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets',
    'https://cloud.google.com/kms/docs/key-states',
  ],
  severityRationale:
    'Critical: the cluster loses (or is about to lose for good) the ability to read its own Secrets, an outage and possible data loss rather than a weakness.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'the health of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyName, facts, evidence } = k;
    if (facts?.notFound)
      return [
        clusterResult(
          s,
          'FAIL',
          `Cloud KMS key ${keyName} does not exist (NOT_FOUND): the cluster cannot decrypt its Secrets`,
          { ...evidence, notFound: true },
        ),
      ];
    const key = facts?.cryptoKey;
    if (!key) return [clusterResult(s, 'ERROR', `Cannot evaluate the Secrets key ${keyName}: ${NOT_READ}`, evidence)];
    const state = key.primary?.state;
    const facts2 = {
      ...evidence,
      purpose: key.purpose,
      primary: key.primary?.name ?? null,
      primaryState: state ?? null,
      destroyTime: key.primary?.destroyTime ?? null,
    };
    if (key.purpose !== 'ENCRYPT_DECRYPT')
      return [
        clusterResult(
          s,
          'FAIL',
          `Cloud KMS key ${keyName} has purpose ${key.purpose}, not ENCRYPT_DECRYPT: GKE cannot encrypt Secrets with it`,
          facts2,
        ),
      ];
    if (!key.primary)
      return [
        clusterResult(
          s,
          'FAIL',
          `Cloud KMS key ${keyName} has no primary version: there is nothing to encrypt with`,
          facts2,
        ),
      ];
    if (state === 'ENABLED')
      return [
        clusterResult(s, 'PASS', `Cloud KMS key ${keyName}: primary version ${key.primary.name} is ENABLED`, facts2),
      ];
    if (state && UNUSABLE[state]) {
      const when = key.primary.destroyTime
        ? `; it ${state === 'DESTROYED' ? 'was' : 'will be'} destroyed on ${key.primary.destroyTime}`
        : '';
      return [
        clusterResult(
          s,
          'FAIL',
          `Cloud KMS key ${keyName} is unusable: ${UNUSABLE[state]} (${state}), so the cluster cannot decrypt its Secrets${when}`,
          facts2,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'ERROR',
        `Cloud KMS key ${keyName}: primary version state ${state || '(none sent)'} is not known to be usable`,
        facts2,
      ),
    ];
  },
});
