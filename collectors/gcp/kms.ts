import type { KeyManagementServiceClient, protos } from '@google-cloud/kms';
import type { CollectionGap } from '../../core/snapshot.ts';
import {
  type GkeCluster,
  type GkeCryptoKey,
  type GkeSecretsKeyFacts,
  parseCryptoKeyName,
} from '../../core/snapshot-gke.ts';
import { type GcpCallSettings, gaxOptions, gcpCall } from './clients.ts';
import { classifyGcpError, describeGcpError } from './errors.ts';

type CryptoKey = protos.google.cloud.kms.v1.ICryptoKey;

/** What the key-health read needs, as the GKE key checks name it (IAM permission `cloudkms.cryptoKeys.get`). */
export const KMS_NEEDS = { getCryptoKey: 'cloudkms:GetCryptoKey' } as const;

/** Enum names by wire number (google/cloud/kms/v1/resources.proto): gRPC may decode to numbers, REST to names. */
const VERSION_STATES = [
  'CRYPTO_KEY_VERSION_STATE_UNSPECIFIED',
  'ENABLED',
  'DISABLED',
  'DESTROYED',
  'DESTROY_SCHEDULED',
  'PENDING_GENERATION',
  'PENDING_IMPORT',
  'IMPORT_FAILED',
  'GENERATION_FAILED',
  'PENDING_EXTERNAL_DESTRUCTION',
  'EXTERNAL_DESTRUCTION_FAILED',
];
const PURPOSES = [
  'CRYPTO_KEY_PURPOSE_UNSPECIFIED',
  'ENCRYPT_DECRYPT',
  '',
  '',
  '',
  'ASYMMETRIC_SIGN',
  'ASYMMETRIC_DECRYPT',
  'RAW_ENCRYPT_DECRYPT',
];
const PROTECTION_LEVELS = ['PROTECTION_LEVEL_UNSPECIFIED', 'SOFTWARE', 'HSM', 'EXTERNAL', 'EXTERNAL_VPC'];

function name(value: unknown, names: readonly string[]): string {
  if (typeof value === 'number') return names[value] || String(value);
  return typeof value === 'string' ? value : '';
}

/** protobuf `seconds` (number, string, or Long) as a number. */
function seconds(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  const n = Number(typeof v === 'object' ? String(v) : v);
  return Number.isFinite(n) ? n : undefined;
}

function timestamp(t: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  const s = seconds(t?.seconds);
  return s === undefined ? undefined : new Date(s * 1000 + Math.floor((t?.nanos ?? 0) / 1e6)).toISOString();
}

function duration(d: { seconds?: unknown } | null | undefined): string | undefined {
  const s = seconds(d?.seconds);
  return s === undefined ? undefined : `${s}s`;
}

/** The fields the checks read, in proto3 JSON form: a snapshot is plain JSON whatever the transport decoded. */
export function toGkeCryptoKey(k: CryptoKey): GkeCryptoKey {
  const p = k.primary;
  const primary = p?.name
    ? {
        name: p.name,
        state: name(p.state, VERSION_STATES),
        ...(timestamp(p.destroyTime) ? { destroyTime: timestamp(p.destroyTime)! } : {}),
        ...(p.protectionLevel ? { protectionLevel: name(p.protectionLevel, PROTECTION_LEVELS) } : {}),
      }
    : undefined;
  const rotationPeriod = duration(k.rotationPeriod);
  const nextRotationTime = timestamp(k.nextRotationTime);
  return {
    name: k.name ?? '',
    purpose: name(k.purpose, PURPOSES),
    ...(primary ? { primary } : {}),
    ...(rotationPeriod ? { rotationPeriod } : {}),
    ...(nextRotationTime ? { nextRotationTime } : {}),
  };
}

/** States in which `databaseEncryption` puts a key in charge (the others name a key that is not used). */
const ENCRYPTED = new Set<unknown>(['ENCRYPTED', 1, 'ALL_OBJECTS_ENCRYPTION_ENABLED', 3]);

/**
 * Reads the Cloud KMS key of each cluster's `databaseEncryption` once per scan (clusters often share a key; only
 * successes are kept, so a denial is retried for the next target). Never throws: a failed read is a
 * `cloudkms:GetCryptoKey` gap (PERMISSION_DENIED is the usual one for a key in another project), NOT_FOUND is a
 * finding (the key is gone).
 */
export function cryptoKeyReader(kms: () => Promise<KeyManagementServiceClient>) {
  const keys = new Map<string, Promise<CryptoKey>>();
  return async function secretsKey(
    cluster: GkeCluster,
    s: GcpCallSettings,
    gaps: CollectionGap[],
  ): Promise<GkeSecretsKeyFacts | undefined> {
    const d = cluster.databaseEncryption;
    const keyName = d?.keyName?.trim();
    if (!keyName || !ENCRYPTED.has(d?.state) || !parseCryptoKeyName(keyName)) return undefined;
    let p = keys.get(keyName);
    if (!p) {
      p = kms().then((c) =>
        gcpCall('cloudkms:GetCryptoKey', s, (o) => c.getCryptoKey({ name: keyName }, gaxOptions(o)).then(([r]) => r)),
      );
      keys.set(keyName, p);
      p.catch(() => keys.delete(keyName));
    }
    try {
      return { keyName, cryptoKey: toGkeCryptoKey(await p) };
    } catch (e) {
      if (classifyGcpError(e) === 'NotFound') return { keyName, notFound: true };
      gaps.push({
        need: KMS_NEEDS.getCryptoKey,
        code: classifyGcpError(e),
        error: `${describeGcpError(e)} (key ${keyName})`,
      });
      return { keyName };
    }
  };
}
