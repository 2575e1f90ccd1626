import { type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  ResultWriterV2,
  S3JsonItemReader,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue, DynamoUpdateItem, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Errors a Lambda task retries with backoff: throttling by Lambda or by the APIs a function calls. */
export const THROTTLING_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'ThrottlingException',
  'TooManyRequestsException',
];

export interface ScanWorkflowProps {
  plan: IFunction;
  scanTarget: IFunction;
  finalize: IFunction;
  bucket: IBucket;
  table: ITable;
  key: IKey;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
}

/**
 * The scan as a Step Functions Standard workflow:
 *
 *   Plan ─► Started? ─► ScanTargets (Distributed Map over the plan's item list in S3) ─► Finalize
 *     │         └─ skipped (another scan is active over an overlapping scope) ─► Skipped (Succeed)
 *     └────────────── any failure ──────────────► MarkFailed (the run record) ─► Failed
 *
 * One small scan-target invocation per target (account × region, subscription, project), so a
 * thousand accounts are a thousand short invocations; the map retries throttling per child and
 * tolerates a share of failed children, whose absence finalize reports as failed targets.
 */
export class ScanWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ScanWorkflowProps) {
    super(scope, id);

    const retryThrottling = {
      errors: THROTTLING_ERRORS,
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      jitterStrategy: JitterType.FULL,
    };

    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.plan,
      payload: TaskInput.fromObject({ request: JsonPath.entirePayload, executionId: JsonPath.executionId }),
      payloadResponseOnly: true,
      resultPath: '$.plan',
    })
      .addRetry(retryThrottling)
      // The admission lease was held by a concurrent request for longer than plan waits: a later attempt gets it.
      .addRetry({
        errors: ['ScanAdmissionBusyError'],
        interval: Duration.seconds(5),
        backoffRate: 2,
        maxAttempts: 3,
        jitterStrategy: JitterType.FULL,
      });

    // A skipped scan is an expected outcome (the plan recorded it SKIPPED, naming the blocking scan): the
    // execution succeeds, so the failed-executions alarm does not fire for it.
    const skipped = new Succeed(this, 'Skipped', {
      comment: 'Another scan was active over an overlapping scope; nothing was scanned (run recorded as SKIPPED)',
    });

    const scanTarget = new LambdaInvoke(this, 'ScanTarget', {
      lambdaFunction: props.scanTarget,
      payloadResponseOnly: true,
    }).addRetry(retryThrottling);

    const map = new DistributedMap(this, 'ScanTargets', {
      itemReader: new S3JsonItemReader({ bucket: props.bucket, key: JsonPath.stringAt('$.plan.itemsKey') }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage,
      // Children's summaries go to S3, not into the state: a thousand of them exceed the 256 KB payload limit.
      resultWriterV2: new ResultWriterV2({ bucket: props.bucket, prefix: 'map-results' }),
      resultPath: '$.map',
      label: 'ScanTargets',
    });
    map.itemProcessor(scanTarget);

    const finalize = new LambdaInvoke(this, 'Finalize', {
      lambdaFunction: props.finalize,
      payload: TaskInput.fromObject({ scanId: JsonPath.stringAt('$.plan.scanId') }),
      payloadResponseOnly: true,
      resultPath: '$.finalize',
    }).addRetry(retryThrottling);

    const failed = new Fail(this, 'Failed', {
      cause: 'The scan failed; see the execution history',
      error: 'ScanFailed',
    });
    const markFailed = (name: string, scanIdPath: string) =>
      new DynamoUpdateItem(this, name, {
        table: props.table,
        key: {
          pk: DynamoAttributeValue.fromString('RUN'),
          sk: DynamoAttributeValue.fromString(JsonPath.stringAt(scanIdPath)),
        },
        updateExpression: 'SET #s = :failed, failure = :failure',
        expressionAttributeNames: { '#s': 'status' },
        expressionAttributeValues: {
          ':failed': DynamoAttributeValue.fromString('FAILED'),
          ':failure': DynamoAttributeValue.fromMap({
            error: DynamoAttributeValue.fromString(JsonPath.stringAt('$.failure.Error')),
          }),
        },
        resultPath: JsonPath.DISCARD,
      }).next(failed);
    // The scan id is in the plan's output once planned, and in the input when the API started the scan.
    const recordFailure = new Choice(this, 'KnownScanId')
      .when(Condition.isPresent('$.plan.scanId'), markFailed('MarkPlannedScanFailed', '$.plan.scanId'))
      .when(Condition.isPresent('$.scanId'), markFailed('MarkRequestedScanFailed', '$.scanId'))
      .otherwise(failed);
    for (const step of [plan, map, finalize]) step.addCatch(recordFailure, { resultPath: '$.failure' });

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
      // The stack key: its policy admits CloudWatch Logs for this account's log groups (ScannerStack).
      encryptionKey: props.key,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(
        Chain.start(plan).next(
          new Choice(this, 'Started')
            .when(Condition.isPresent('$.plan.skipped'), skipped)
            .otherwise(map)
            .afterwards()
            .next(finalize),
        ),
      ),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      timeout: Duration.hours(6),
    });
    // The map's children read the items and write results through the state machine's role.
    props.key.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey');

    const logicalId = (c: Construct) => Stack.of(this).getLogicalId(c.node.defaultChild as CfnElement);
    const invokes = [props.plan, props.scanTarget, props.finalize].map((f) => ({
      id: `AwsSolutions-IAM5[Resource::<${logicalId(f)}.Arn>:*]`,
      reason:
        'CDK’s LambdaInvoke grants lambda:InvokeFunction on the function and on its versions and aliases (`:*`); ' +
        'it is one named function of this stack, invoked by this workflow only.',
    }));
    Validations.of(this.stateMachine.role).acknowledge(
      ...invokes,
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${logicalId(props.bucket)}>/*]`,
        reason:
          'The Distributed Map reads the item list (scans/<scanId>/items.json, named at run time) and its result ' +
          'writer puts the map results under map-results/<run id>/; the actions are exact, the bucket is this stack’s.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules/Targets) and CloudWatch Logs ' +
          'delivery for the state machine (logs:CreateLogDelivery, ...) support no resource-level permissions.',
      },
    );
    // CDK adds the Distributed Map's own policy while synthesizing, under the state machine; its
    // resources name this machine's executions, in CDK's rendering.
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}`;
    const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition;
    const executions = `arn:${partition}:states:${region}:<AWS::AccountId>:execution:${machineName}`;
    const mapReason =
      'Generated by CDK for the Distributed Map: start, describe and stop the child executions of this state ' +
      'machine’s own map runs, whose names are generated at run time.';
    Validations.of(this.stateMachine).acknowledge(
      { id: `AwsSolutions-IAM5[Resource::${executions}:*]`, reason: mapReason },
      { id: `AwsSolutions-IAM5[Resource::${executions}/ScanTargets:*]`, reason: mapReason },
    );
  }
}
