import type { CheckResult, EksClusterSnapshot, ResultStatus } from '../../../core/check.ts';

/** A result about the cluster itself: the resource id is always the cluster ARN. */
export function clusterResult(
  s: EksClusterSnapshot,
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
): CheckResult {
  return { status, resourceId: s.arn, message, evidence };
}

/**
 * ERROR for data a check needs that the snapshot does not hold. Never PASS on missing data:
 * `field` names exactly what is missing, e.g. `cluster.resourcesVpcConfig`.
 */
export function missingField(s: EksClusterSnapshot, field: string, what: string): CheckResult {
  const where =
    field === 'cluster'
      ? 'the snapshot has no DescribeCluster output (cluster is missing)'
      : `${field} is missing from the DescribeCluster output`;
  return clusterResult(s, 'ERROR', `Cannot evaluate ${what}: ${where}`, { missingField: field });
}

/** `a, b, c`, or the fallback when empty. */
export function list(values: readonly string[], empty = 'none'): string {
  return values.length > 0 ? values.join(', ') : empty;
}
