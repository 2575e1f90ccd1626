import type { CheckResult, ResultStatus } from '../../core/check.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { clusterResult } from '../lib/results.ts';

/** A result about one agent pool: its ARM id, under the cluster's. */
export function poolResult(
  s: AksClusterSnapshot,
  pool: string,
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { status, resourceId: `${s.id}/agentPools/${pool}`, message, evidence };
}

/** ERROR for a field the ARM answer lacks: never read a missing value as the safe default. */
export function missing(s: AksClusterSnapshot, field: string, what: string): CheckResult {
  return clusterResult(s, 'ERROR', `Cannot evaluate ${what}: ${field} is missing from the managed cluster`, {
    missingField: field,
  });
}

export { clusterResult, minorOf } from '../lib/results.ts';
