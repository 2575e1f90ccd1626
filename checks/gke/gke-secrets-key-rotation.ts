import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib.ts';
import { NOT_READ, secretsKeyOf } from './secrets-key.ts';

/** Longest rotation period accepted: a year, as AWS rotates its keys and most standards expect at least yearly. */
export const MAX_ROTATION_DAYS = 365;

export default defineCheck({
  id: 'GKE.ENCRYPTION.3',
  slug: 'gke-secrets-key-rotation',
  title: 'The Cloud KMS key that encrypts GKE Secrets rotates automatically, at least yearly',
  provider: 'gcp',
  service: 'cloudkms',
  severity: 'medium',
  category: 'encryption',
  needs: ['gke:ListClusters', 'cloudkms:GetCryptoKey'],
  reads: [
    'gke:ListClusters databaseEncryption.{state,keyName}',
    'cloudkms:GetCryptoKey rotationPeriod',
    'cloudkms:GetCryptoKey nextRotationTime',
    'cloudkms:GetCryptoKey primary.state',
  ],
  frameworks: {},
  risk: 'Without automatic rotation one key version wraps every Secret for the key’s whole life: more data under one version, and a longer window for material exposed through a misused decrypt grant. GKE picks up a new primary version by itself, so rotation costs nothing to the cluster. CIS Google Cloud asks for 90 days; this check accepts up to a year.',
  remediation: {
    text: 'Set a rotation period on the key (90 days is CIS Google Cloud’s recommendation); Cloud KMS keeps the old versions to decrypt existing data.',
    cli: 'gcloud kms keys update <key> --keyring <ring> --location <location> --project <project> --rotation-period 90d --next-rotation-time <time>',
    url: 'https://cloud.google.com/kms/docs/rotate-key',
  },
  references: ['https://cloud.google.com/kms/docs/rotate-key', 'https://cloud.google.com/kms/docs/key-rotation'],
  severityRationale:
    'Medium: rotation limits how much data one key version protects; it does not stop an attacker who can already decrypt.',
  evaluate(s) {
    const k = secretsKeyOf(s, 'rotation of the Secrets key');
    if ('result' in k) return [k.result];
    const { keyName, facts, evidence } = k;
    if (facts?.notFound)
      return [
        clusterResult(s, 'NOT_APPLICABLE', `Cloud KMS key ${keyName} does not exist (GKE.ENCRYPTION.2)`, evidence),
      ];
    const key = facts?.cryptoKey;
    if (!key) return [clusterResult(s, 'ERROR', `Cannot evaluate rotation of ${keyName}: ${NOT_READ}`, evidence)];
    const state = key.primary?.state;
    const facts2 = {
      ...evidence,
      rotationPeriod: key.rotationPeriod ?? null,
      nextRotationTime: key.nextRotationTime ?? null,
      primaryState: state ?? null,
    };
    if (state !== 'ENABLED' && state !== 'DISABLED')
      return [
        clusterResult(
          s,
          'NOT_APPLICABLE',
          `Cloud KMS key ${keyName}: primary version is ${state ?? 'missing'}, rotation is moot (GKE.ENCRYPTION.2)`,
          facts2,
        ),
      ];
    const seconds = /^(\d+)(?:\.\d+)?s$/.exec(key.rotationPeriod ?? '')?.[1];
    if (!seconds)
      return [
        clusterResult(s, 'FAIL', `Cloud KMS key ${keyName}, which encrypts Secrets, has no automatic rotation`, facts2),
      ];
    const days = Math.round(Number(seconds) / 86_400);
    if (days > MAX_ROTATION_DAYS)
      return [
        clusterResult(
          s,
          'FAIL',
          `Cloud KMS key ${keyName} rotates only every ${days} days (more than ${MAX_ROTATION_DAYS})`,
          { ...facts2, rotationDays: days },
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        `Cloud KMS key ${keyName} rotates every ${days} days${key.nextRotationTime ? ` (next ${key.nextRotationTime})` : ''}`,
        { ...facts2, rotationDays: days },
      ),
    ];
  },
});
