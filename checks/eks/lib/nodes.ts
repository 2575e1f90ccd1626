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
