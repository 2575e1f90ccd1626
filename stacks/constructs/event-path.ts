import { Arn, ArnFormat, Aws, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventBus, type EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  EKS_RESCAN_EVENTS,
  EVENT_SOURCES,
  IAM_RESCAN_EVENTS,
  SETTLING_EKS_EVENTS,
} from '../../core/cluster-events.ts';

/** The central bus's fixed name: the member template (a StackSet, synthesized apart) targets it by ARN. */
export const EVENT_BUS_NAME = 'kubeposture-events';

/** How often SQS hands a message to the rescan function before it is dead-lettered. */
export const RESCAN_MAX_RECEIVES = 3;

/**
 * The CloudTrail events that can change a cluster's posture, as an EventBridge pattern. Failed calls changed nothing:
 * they never match (`errorCode` absent), so they cost no cross-account event. `eventNames` narrows it (the settle rule).
 */
export function clusterChangePattern(eventNames: readonly string[] = [...EKS_RESCAN_EVENTS, ...IAM_RESCAN_EVENTS]) {
  const iam = eventNames.some((n) => (IAM_RESCAN_EVENTS as readonly string[]).includes(n));
  const sources = iam ? Object.keys(EVENT_SOURCES) : ['aws.eks'];
  return {
    source: sources,
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: sources.map((s) => EVENT_SOURCES[s as keyof typeof EVENT_SOURCES]),
      eventName: [...eventNames],
      errorCode: [{ exists: false }],
    },
  } satisfies EventPattern;
}

export interface EventPathProps {
  /** The organization whose accounts may put events on the bus. */
  organizationId: string;
  rescan: LambdaFunction;
  /** Encrypts the queues. Its policy admits EventBridge for rules of this bus (added here). */
  key: Key;
  alarmAction: SnsAction;
  delaySeconds: number;
  batchWindowSeconds: number;
  settleSeconds: number;
  maxConcurrency: number;
}

/**
 * The AWS side of change-driven rescans (issue 14):
 *
 *   member account rule ─► central bus (org only) ─┬─ all changes ─────────► rescan queue (delay) ─┐
 *                                                  └─ async EKS changes ───► settle queue (delay) ─┴► rescan function
 *                                       dead letters (delivery failures, messages failed 3 times) ◄┘  ─► alarm
 *
 * Coalescing is SQS's own: a delivery delay, then the poller's batching window gather a burst into one batch, which
 * the function deduplicates per cluster. Not FIFO: EventBridge gives a FIFO target one static message group id (no
 * grouping by cluster), and a group serializes messages rather than merging them.
 */
export class EventPath extends Construct {
  readonly bus: EventBus;
  readonly queue: Queue;
  readonly settleQueue: Queue;
  readonly deadLetters: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: EventPathProps) {
    super(scope, id);
    const { key } = props;
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: EVENT_BUS_NAME,
      description: 'kubeposture: EKS and IAM changes forwarded by the member accounts of the organization',
    });
    // Only principals of this organization (the member rules' roles) may put events; no account is named.
    this.bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganizationMembersPutEvents',
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the rescan path: events EventBridge could not deliver and rescans ' +
          'that failed three times wait here for an operator (redrive to the rescan queue); an alarm watches it.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the dead-letter queue of the rescan path; nothing consumes it automatically, so there ' +
          'is no failed consumption to redrive. An alarm fires when it holds a message.',
      },
    );
    // The function's timeout bounds one batch; AWS advises a visibility timeout of six times it, plus the window.
    const timeout = props.rescan.timeout ?? Duration.minutes(3);
    const visibilityTimeout = Duration.seconds(6 * timeout.toSeconds() + props.batchWindowSeconds);
    const queue = (qid: string, delaySeconds: number) =>
      new Queue(this, qid, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        deliveryDelay: Duration.seconds(delaySeconds),
        visibilityTimeout,
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: RESCAN_MAX_RECEIVES },
      });
    this.queue = queue('Queue', props.delaySeconds);
    this.settleQueue = queue('SettleQueue', props.settleSeconds);

    const target = (q: Queue) =>
      new SqsQueue(q, { deadLetterQueue: this.deadLetters, retryAttempts: 10, maxEventAge: Duration.hours(6) });
    new Rule(this, 'Rule', {
      eventBus: this.bus,
      description: 'kubeposture: every EKS or IAM change that can alter a cluster’s posture, to the rescan queue',
      eventPattern: clusterChangePattern(),
      targets: [target(this.queue)],
    });
    new Rule(this, 'SettleRule', {
      eventBus: this.bus,
      description: 'kubeposture: EKS changes applied asynchronously, rescanned again once settled',
      eventPattern: clusterChangePattern(SETTLING_EKS_EVENTS),
      targets: [target(this.settleQueue)],
    });
    // EventBridge encrypts what it sends to the KMS-encrypted queues, as itself: only for this bus's rules.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeRulesOfTheRescanBus',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Arn.format(
              {
                service: 'events',
                resource: 'rule',
                resourceName: `${EVENT_BUS_NAME}/*`,
                arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
              },
              Stack.of(this),
            ),
          },
        },
      }),
    );

    const batchSize = props.batchWindowSeconds > 0 ? 100 : 10; // above 10 needs a batching window
    for (const q of [this.queue, this.settleQueue]) {
      const source = new SqsEventSource(q, {
        batchSize,
        maxBatchingWindow: props.batchWindowSeconds > 0 ? Duration.seconds(props.batchWindowSeconds) : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      });
      props.rescan.addEventSource(source);
      Validations.of(props.rescan.node.findChild(`SqsEventSource:${Names.nodeUniqueId(q.node)}`)).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'An SQS event source mapping takes no on-failure destination (only stream and Kafka sources do): a message ' +
          'the function reports failed returns to its queue, whose redrive policy moves it to the dead-letter queue ' +
          'after three receives, where an alarm watches it.',
      });
    }

    this.alarm = new Alarm(this, 'DeadLetteredRescans', {
      alarmDescription:
        'kubeposture: a change event could not be rescanned (undeliverable, unmappable, or failed 3 times): ' +
        'see the rescan function logs, then redrive the dead-letter queue',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(props.alarmAction);
  }
}
