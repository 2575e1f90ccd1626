import type { CheckResult, ResultStatus } from '../../core/check.ts';

/** A result about the cluster itself, for clouds whose snapshot id is the cluster's resource id (AKS, GKE). */
export function clusterResult(
  s: { id: string },
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { status, resourceId: s.id, message, evidence };
}

/** `1.31.7` or `1.32.6-gke.1125000` → [1, 31]; undefined when it is not a version. */
export function minorOf(version: string | null | undefined): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
