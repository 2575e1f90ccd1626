import { Arn, BootstraplessSynthesizer, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { ConfigError } from '../core/errors.ts';
import { clusterChangePattern, EVENT_BUS_NAME } from './constructs/event-path.ts';
import { resolveScannerAccountId } from './member-reader-stack.ts';

/** The context key that names the security account's region (where the central event bus is), for messages. */
export const SCANNER_REGION_SETTING = 'kubeposture:scannerRegion';

/**
 * The region of the central event bus: the scanner's (`kubeposture:scannerRegion`, else the region the CDK resolved).
 * The member template is a StackSet, synthesized apart from the scanner stack, so no cross-stack reference can carry it.
 */
export function resolveScannerRegion(configured: unknown, deployingRegion: string | undefined): string {
  const value = configured ?? (deployingRegion && !Token.isUnresolved(deployingRegion) ? deployingRegion : undefined);
  if (value === undefined) {
    throw new ConfigError(
      `${SCANNER_REGION_SETTING} is not set and no AWS region is configured: the member accounts forward change ` +
        `events to the scanner's region. Synthesize with -c ${SCANNER_REGION_SETTING}=<region of the scanner stack>.`,
    );
  }
  const region = String(value);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ConfigError(`${SCANNER_REGION_SETTING} must be an AWS region (got ${JSON.stringify(region)})`);
  }
  return region;
}

export interface MemberEventsStackProps extends StackProps {
  /** The security account (12 digits), where the central bus is. */
  scannerAccountId: string;
  /** The scanner's region (`resolveScannerRegion`). */
  scannerRegion: string;
}

/**
 * Deployed in every member account and every region with clusters, plus us-east-1 (where IAM's global events arrive),
 * by a StackSet of its own (docs/deploy.md §9): the reader role is global and lives in one region, this rule is
 * regional. An EventBridge rule on the account's default bus sends successful EKS and IAM calls that can change a
 * cluster's posture (CloudTrail management events: a trail must log them) to the central bus, signed by a role of
 * this account, which the bus admits by organization id. StackSet-ready like the reader: no bootstrap, no asset, the
 * partition left to CloudFormation.
 */
export class MemberEventsStack extends Stack {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: MemberEventsStackProps) {
    super(scope, id, { synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false, ...props });
    resolveScannerAccountId(props.scannerAccountId, undefined);
    resolveScannerRegion(props.scannerRegion, undefined);
    const busArn = Arn.format(
      {
        service: 'events',
        region: props.scannerRegion,
        account: props.scannerAccountId,
        resource: 'event-bus',
        resourceName: EVENT_BUS_NAME,
      },
      this,
    );
    this.rule = new Rule(this, 'ForwardClusterChanges', {
      description: 'kubeposture: EKS and IAM changes to the security account, for a rescan within minutes',
      eventPattern: clusterChangePattern(),
      targets: [new EventBusTarget(EventBus.fromEventBusArn(this, 'CentralBus', busArn))],
    });
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A dead-letter queue here would be one more queue, key and alarm in every member account and region, read ' +
        'by no one. EventBridge retries delivery to the central bus for 24 hours; a change that is still lost is ' +
        'caught by the next scheduled scan, and FailedInvocations of this rule shows in the account.',
    });
  }
}
