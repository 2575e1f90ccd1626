import type { CheckResult, ResultStatus } from '../../core/check.ts';
import { memoize } from './memo.ts';

/** A result about the cluster itself, for clouds whose snapshot id is the cluster's resource id (AKS, GKE). */
export function clusterResult(
  s: { id: string },
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { status, resourceId: s.id, message, evidence };
}

const minorOfText = memoize((v: string): readonly [number, number] | undefined => {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
});

/** `1.31.7` or `1.32.6-gke.1125000` → [1, 31]; undefined when it is not a version. Parsed once per text; read-only. */
export function minorOf(version: string | null | undefined): readonly [number, number] | undefined {
  return minorOfText(version ?? '');
}
