import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AWS_COLLECTOR_ACTIONS } from '../collectors/aws/index.ts';
import type { AnyCheck } from '../core/check.ts';

/** Services whose `needs` are IAM actions; other needs (`k8s:aws-auth`) are granted inside the cluster. */
const IAM_SERVICES = new Set(['eks', 'ec2', 'iam', 'kms', 'ssm', 'sts', 'organizations', 'logs', 'guardduty']);

/**
 * Actions that read AWS's public parameters (recommended EKS node releases). They are granted on
 * `/aws/service/*` only, never on an account's own parameters, which may hold configuration or secrets.
 */
const PUBLIC_PARAMETER_ACTIONS = new Set(['ssm:GetParameter']);

export interface ReadActions {
  /** List/Describe actions granted on `*` (most support no resource-level permissions). */
  anyResource: string[];
  /** Actions granted only on the public `/aws/service/*` parameters. */
  publicParameters: string[];
}

/**
 * What a scan reads in an account: every IAM action an AWS check declares in `needs`, plus what the
 * AWS collector calls to enumerate and describe. Sorted and unique, so a policy diff shows exactly
 * what a new check adds. Nothing here is a write.
 */
export function readActions(checks: readonly AnyCheck[]): ReadActions {
  const needs = checks
    .filter((c) => c.provider === 'aws')
    .flatMap((c) => c.needs)
    .filter((n) => IAM_SERVICES.has(n.split(':')[0]!));
  const all = [...new Set([...needs, ...AWS_COLLECTOR_ACTIONS])].sort();
  return {
    anyResource: all.filter((a) => !PUBLIC_PARAMETER_ACTIONS.has(a)),
    publicParameters: all.filter((a) => PUBLIC_PARAMETER_ACTIONS.has(a)),
  };
}

/** The policy statements granting `readActions(checks)`, each on the narrowest resource it supports. */
export function readStatements(checks: readonly AnyCheck[], partition: string): PolicyStatement[] {
  const { anyResource, publicParameters } = readActions(checks);
  return [
    new PolicyStatement({ sid: 'ChecksAndCollector', effect: Effect.ALLOW, actions: anyResource, resources: ['*'] }),
    ...(publicParameters.length > 0
      ? [
          new PolicyStatement({
            sid: 'PublicParameters',
            effect: Effect.ALLOW,
            actions: publicParameters,
            resources: [`arn:${partition}:ssm:*::parameter/aws/service/*`],
          }),
        ]
      : []),
  ];
}

/** The cdk-nag acknowledgement for the public-parameter resource wildcard, beside the policy that has it. */
export function publicParametersAcknowledgement(partition: string): { id: string; reason: string } {
  return {
    id: `AwsSolutions-IAM5[Resource::arn:${partition}:ssm:*::parameter/aws/service/*]`,
    reason:
      'ssm:GetParameter on the public /aws/service/ parameters only (the recommended EKS node AMI releases), in ' +
      'every region scanned; no parameter of the account itself is readable through it.',
  };
}
