import type { Instance, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { LaunchTemplateSpecification, Nodegroup } from '@aws-sdk/client-eks';
import type { CheckResult, EksClusterSnapshot, ResultStatus } from '../../../core/check.ts';
import type { Severity } from '../../../core/severity.ts';
import { launchTemplateVersionKey } from '../../../core/snapshot.ts';
import { missingField } from './results.ts';

/** A result about one node group: its ARN is the resource, so each group has its own finding. */
export function nodegroupResult(
  s: EksClusterSnapshot,
  ng: Nodegroup,
  status: ResultStatus,
  message: string,
  evidence: Record<string, unknown> = {},
  severity?: Severity,
): CheckResult {
  const result: CheckResult = {
    status,
    resourceId: ng.nodegroupArn ?? `${s.arn}/nodegroup/${ng.nodegroupName ?? '?'}`,
    message,
    evidence: { nodegroupName: ng.nodegroupName, ...evidence },
  };
  if (severity) result.severity = severity;
  return result;
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
 * What every node check says before judging nodes: ERROR without DescribeCluster data; and, for an EKS Auto Mode
 * cluster (`computeConfig.enabled`) with no node groups or self-managed nodes of its own, NOT_APPLICABLE naming Auto
 * Mode (AWS manages and patches those nodes) instead of a bare "nothing to evaluate". Undefined: go on judging.
 */
export function nodePreamble(s: EksClusterSnapshot, what: string): CheckResult[] | undefined {
  if (!s.cluster) return [missingField(s, 'cluster', `node ${what}`)];
  if (s.nodegroups.length > 0 || s.selfManagedNodes.length > 0 || s.cluster.computeConfig?.enabled !== true)
    return undefined;
  return [
    {
      status: 'NOT_APPLICABLE',
      resourceId: s.arn,
      message: `EKS Auto Mode manages this cluster's nodes (computeConfig.enabled) and their ${what}; it has no node groups of its own`,
      evidence: { computeConfig: s.cluster.computeConfig },
    },
  ];
}

/** One result per managed node group, after the preamble. */
export function eachNodegroup(
  s: EksClusterSnapshot,
  what: string,
  judge: (ng: Nodegroup) => CheckResult,
): CheckResult[] {
  return nodePreamble(s, what) ?? s.nodegroups.map(judge);
}

/**
 * The launch template version a node group runs from: undefined when it uses the one EKS manages, a
 * NOT_APPLICABLE result when the template version no longer exists.
 */
export function launchTemplateOf(
  s: EksClusterSnapshot,
  ng: Nodegroup,
): { lt: LaunchTemplateSpecification; template: LaunchTemplateVersion } | { gone: CheckResult } | undefined {
  const lt = ng.launchTemplate;
  if (!lt?.id || !lt.version) return undefined;
  const template = s.launchTemplates[launchTemplateVersionKey(lt.id, lt.version)];
  if (template) return { lt, template };
  return {
    gone: nodegroupResult(
      s,
      ng,
      'NOT_APPLICABLE',
      `Node group ${ngName(ng)}'s launch template ${lt.id} version ${lt.version} was not found`,
      { launchTemplate: lt },
    ),
  };
}

/** `launch template golden-nodes v3`, for messages. */
export function templateLabel(lt: LaunchTemplateSpecification): string {
  return `launch template ${lt.name ?? lt.id} v${lt.version}`;
}
