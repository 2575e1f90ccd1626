import type { CheckResult, ResultStatus } from '../../core/check.ts';
import type { GkeClusterSnapshot, GkeNodePool } from '../../core/snapshot-gke.ts';

/** A result about one node pool: `<cluster self link>/nodePools/<name>`. */
export function poolResult(
  s: GkeClusterSnapshot,
  pool: GkeNodePool,
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { status, resourceId: `${s.id}/nodePools/${pool.name}`, message, evidence: { pool: pool.name, ...evidence } };
}

/**
 * An enum field by name. The REST transport asks for `enum-encoding=int`, gRPC decodes to names: a check must
 * accept both, or a number silently compares unequal to the name and a posture reads as unset.
 */
export function enumName(value: unknown, names: readonly string[]): string | undefined {
  if (typeof value === 'number') return names[value] ?? String(value);
  if (typeof value === 'string') return value;
  return undefined;
}

/** Enum value names in proto order (index = wire number), from google/container/v1/cluster_service.proto. */
export const ENUMS = {
  workloadMetadataMode: ['MODE_UNSPECIFIED', 'GCE_METADATA', 'GKE_METADATA'],
  databaseEncryptionState: ['UNKNOWN', 'ENCRYPTED', 'DECRYPTED', 'ALL_OBJECTS_ENCRYPTION_ENABLED'],
  loggingComponent: [
    'COMPONENT_UNSPECIFIED',
    'SYSTEM_COMPONENTS',
    'WORKLOADS',
    'APISERVER',
    'SCHEDULER',
    'CONTROLLER_MANAGER',
    'KCP_SSHD_UNUSED',
    'KCP_SSHD',
    'KCP_CONNECTION',
    'KCP_HPA',
    'KCP_VPA',
  ],
  releaseChannel: ['UNSPECIFIED', 'RAPID', 'REGULAR', 'STABLE', 'EXTENDED'],
} as const;

export function isWindowsPool(p: GkeNodePool): boolean {
  return /^WINDOWS/i.test(p.config?.imageType ?? '');
}

export { clusterResult, minorOf } from '../lib/results.ts';
