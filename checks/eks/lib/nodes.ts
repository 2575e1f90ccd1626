import type { Instance } from '@aws-sdk/client-ec2';
import type { Nodegroup } from '@aws-sdk/client-eks';
import type { CheckResult, EksClusterSnapshot, ResultStatus } from '../../../core/check.ts';
import type { Severity } from '../../../core/severity.ts';

/** A result about one node group: its ARN is the resource, so each group has its own finding. */
export function nodegroupResult(
  s: EksClusterSnapshot,
  ng: Nodegroup,
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
  severity?: Severity,
): CheckResult {
  return {
    status,
    resourceId: ng.nodegroupArn ?? `${s.arn}/nodegroup/${ng.nodegroupName ?? '?'}`,
    message,
    evidence: { nodegroupName: ng.nodegroupName, ...evidence },
    ...(severity ? { severity } : {}),
  };
}

/** The node group's name for messages. */
export function ngName(ng: Nodegroup): string {
  return ng.nodegroupName ?? '(unnamed)';
}

/** The ARN of a self-managed node: the resource of its results. */
export function instanceArn(s: EksClusterSnapshot, i: Instance): string {
  const partition = s.arn.split(':')[1] ?? 'aws';
  return `arn:${partition}:ec2:${s.region}:${s.accountId}:instance/${i.InstanceId ?? '?'}`;
}

/**
 * EKS Auto Mode (`computeConfig.enabled`) runs nodes AWS manages and patches, outside node groups: when a cluster
 * has no node groups of its own, node checks say so instead of a bare "nothing to evaluate".
 */
export function autoModeOnly(s: EksClusterSnapshot, what: string): CheckResult[] {
  if (s.nodegroups.length > 0 || s.selfManagedNodes.length > 0 || s.cluster?.computeConfig?.enabled !== true) return [];
  return [
    {
      status: 'NOT_APPLICABLE',
      resourceId: s.arn,
      message: `EKS Auto Mode manages this cluster's nodes (computeConfig.enabled) and their ${what}; it has no node groups of its own`,
      evidence: { computeConfig: s.cluster.computeConfig },
    },
  ];
}
