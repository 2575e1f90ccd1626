import { fileURLToPath } from 'node:url';
import { Arn, Duration, RemovalPolicy, Stack, type StackProps, TimeZone, Token, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { checks as registeredChecks } from '../checks/index.ts';
import {
  AWS_WEB_IDENTITY,
  AZURE_FEDERATION_ENV,
  AZURE_TOKEN_EXCHANGE_AUDIENCE,
  WEB_IDENTITY_SIGNING_ALGORITHM,
  WEB_IDENTITY_TOKEN_SECONDS,
} from '../collectors/azure/federation.ts';
import { GCP_CREDENTIAL_CONFIG_ENV } from '../collectors/gcp/credential-config.ts';
import { parseConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { ScanWorkflow } from './constructs/scan-workflow.ts';
import { ScannerFunction } from './constructs/scanner-function.ts';
import { type DeploymentConfig, parseDeploymentConfig } from './deployment-config.ts';
import { publicParametersAcknowledgement, readActions, readStatements } from './read-policy.ts';

export const DEFAULT_READER_ROLE_NAME = 'KubepostureReader';

/**
 * What scan-target and plan call in the scanner's own account when no reader role is assumed
 * (no accounts, no organization configured): the same reads as a member reader role (the checks'
 * needs and the collector's calls, stacks/read-policy.ts), plus `sts:GetCallerIdentity`.
 */
export const SCANNER_READ_ACTIONS = [...readActions(registeredChecks).anyResource, 'sts:GetCallerIdentity'];

/**
 * The roles that assume the reader role in member accounts, by fixed name, so the member stack
 * (deployed through StackSets, possibly before this one) can trust them by ARN.
 */
export const SCANNER_ROLE_NAMES = { plan: 'kubeposture-plan', scanTarget: 'kubeposture-scan-target' } as const;

/** AWS's public parameters (recommended EKS-optimized and Bottlerocket releases), and nothing else in SSM. */
export const SCANNER_PUBLIC_PARAMETER_ACTIONS = readActions(registeredChecks).publicParameters;

export interface ScannerStackProps extends StackProps {
  /** The `kubeposture` context value: schedule, scan configuration, map limits, notifications. */
  deployment?: unknown;
  /**
   * The role the scanner assumes in each member account.
   * @default 'KubepostureReader', or `aws.roleName` when the scan config sets it
   */
  readerRoleName?: string;
  logRetention?: RetentionDays;
  /** Upper bound on concurrent scan-target invocations. @default unreserved */
  scanTargetConcurrency?: number;
}

const entry = (name: string) => fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));

/**
 * The serverless scanner for a security account: a results bucket and a state table (KMS), the
 * plan / scan-target / finalize functions run by a Step Functions workflow on a schedule, an
 * IAM-authorized API for on-demand scans and findings, and alerts on failed or incomplete scans.
 */
export class ScannerStack extends Stack {
  readonly deployment: DeploymentConfig;
  readonly key: Key;
  readonly bucket: Bucket;
  readonly table: Table;
  readonly plan: ScannerFunction;
  readonly scanTarget: ScannerFunction;
  readonly finalize: ScannerFunction;
  readonly api: ScannerFunction;
  readonly workflow: ScanWorkflow;
  readonly restApi: RestApi;
  readonly alerts: Topic;

  constructor(scope: Construct, id: string, props: ScannerStackProps = {}) {
    super(scope, id, props);
    this.deployment = parseDeploymentConfig(props.deployment);
    const { config, readerRoleNames, readsOwnAccount } = resolveScannerConfig(
      this.deployment.scan,
      props.readerRoleName,
    );

    this.key = new Key(this, 'Key', {
      description: 'kubeposture: scan results, finding state, alerts and the Slack secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 server access log delivery supports SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(this.deployment.retentionDays), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the results bucket’s server access logs. Logging it into itself would loop, and ' +
        'a second log bucket would only move the question; CloudTrail data events cover it if required.',
    });

    this.bucket = new Bucket(this, 'Results', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'results/',
      lifecycleRules: [
        { prefix: 'scans/', expiration: Duration.days(this.deployment.retentionDays) },
        { prefix: 'map-results/', expiration: Duration.days(30) },
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Finding state (issue #6: `FINDING#<0-f>`/`SCAN` items), scan runs (`RUN`) and API idempotency
    // records (`IDEMPOTENCY`), one table with one key schema and one TTL attribute.
    this.table = new Table(this, 'State', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const common = {
      KUBEPOSTURE_BUCKET: this.bucket.bucketName,
      KUBEPOSTURE_TABLE: this.table.tableName,
      KUBEPOSTURE_CONFIG: JSON.stringify(config),
    };
    const fn = (
      fid: string,
      name: string,
      description: string,
      more: Partial<ConstructorParameters<typeof ScannerFunction>[2]> = {},
    ) =>
      new ScannerFunction(this, fid, {
        entry: entry(name),
        description,
        environment: common,
        logRetention: props.logRetention,
        ...more,
      });
    this.plan = fn(
      'Plan',
      'plan',
      'kubeposture: lists the targets of a scan (Organizations, subscriptions, projects)',
      { timeout: Duration.minutes(10), roleName: SCANNER_ROLE_NAMES.plan },
    );
    this.scanTarget = fn('ScanTarget', 'scan-target', 'kubeposture: collects and evaluates one target', {
      reservedConcurrentExecutions: props.scanTargetConcurrency,
      roleName: SCANNER_ROLE_NAMES.scanTarget,
    });
    this.finalize = fn('Finalize', 'finalize', 'kubeposture: assembles, publishes and records a scan', {
      memorySize: 1024,
      timeout: Duration.minutes(10),
    });
    this.api = fn('Api', 'api', 'kubeposture: on-demand scans and findings (API Gateway, IAM auth)', {
      memorySize: 512,
      timeout: Duration.seconds(29),
    });

    // S3: each function gets exactly the object actions it uses, on the scan prefix only.
    this.allowObjects(this.plan, 'Plan', ['s3:PutObject']);
    this.allowObjects(this.scanTarget, 'ScanTarget', ['s3:GetObject', 's3:PutObject']);
    this.allowObjects(this.finalize, 'Finalize', ['s3:GetObject', 's3:PutObject']);
    this.allowLatestPointer(this.finalize);
    this.allowObjects(this.api, 'Api', ['s3:GetObject']);
    for (const f of [this.plan, this.finalize, this.api]) {
      this.table.grant(f, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
      this.key.grant(f, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    }
    this.table.grant(this.api, 'dynamodb:DeleteItem'); // Powertools idempotency removes a record whose call failed
    this.key.grant(this.scanTarget, 'kms:Decrypt', 'kms:GenerateDataKey');

    // Member accounts: plan and scan-target assume the reader role (plan to list regions and catch denials early).
    for (const f of [this.plan, this.scanTarget]) this.allowAssumeReader(f, readerRoleNames);
    if (readsOwnAccount) for (const f of [this.plan, this.scanTarget]) this.allowReadOwnAccount(f);
    if (config.aws && (config.aws as { organization?: unknown }).organization) this.allowListAccounts(this.plan);
    // Azure and Google Cloud: only plan (subscription / project listing) and scan-target call them.
    this.configureFederation([this.plan, this.scanTarget]);

    this.workflow = new ScanWorkflow(this, 'Workflow', {
      plan: this.plan,
      scanTarget: this.scanTarget,
      finalize: this.finalize,
      bucket: this.bucket,
      table: this.table,
      key: this.key,
      maxConcurrency: this.deployment.map.maxConcurrency,
      toleratedFailurePercentage: this.deployment.map.toleratedFailurePercentage,
    });
    this.api.addEnvironment('KUBEPOSTURE_STATE_MACHINE_ARN', this.workflow.stateMachine.stateMachineArn);
    this.workflow.stateMachine.grantStartExecution(this.api);

    this.alerts = new Topic(this, 'Alerts', {
      displayName: 'kubeposture alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of this.deployment.notifications.emails) this.alerts.addSubscription(new EmailSubscription(email));
    if (this.deployment.notifications.slack) {
      const slack = new Secret(this, 'SlackWebhook', {
        description: 'kubeposture: Slack incoming-webhook URL for the scan digest (set the value after deploy)',
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.finalize.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [slack.secretArn] }),
      );
      this.finalize.addEnvironment('KUBEPOSTURE_SLACK_SECRET_ARN', slack.secretArn);
      Validations.of(slack).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A Slack incoming-webhook URL is issued by Slack and cannot be rotated by a Lambda rotation function; ' +
          'it is replaced by hand when revoked (docs/deploy.md). It is encrypted with the stack key and readable only by finalize.',
      });
    }
    // Explicit actions: grantPublish on an encrypted topic would add kms:GenerateDataKey* (a wildcard action).
    this.finalize.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.alerts.topicArn] }));
    this.finalize.addEnvironment('KUBEPOSTURE_ALERTS_TOPIC_ARN', this.alerts.topicArn);
    this.finalize.addEnvironment('KUBEPOSTURE_ALERT_SEVERITY', this.deployment.notifications.severityThreshold);

    this.scheduleScans();
    this.restApi = this.buildApi();
    this.addAlarms();
  }

  /** Attaches one policy to a function's role before the function is created, with its cdk-nag acknowledgements beside it. */
  private attach(
    f: ScannerFunction,
    id: string,
    statements: PolicyStatement | PolicyStatement[],
    ...acks: { id: string; reason: string }[]
  ): Policy {
    const policy = new Policy(this, id, { statements: Array.isArray(statements) ? statements : [statements] });
    policy.attachToRole(f.role!);
    f.node.addDependency(policy);
    if (acks.length > 0) Validations.of(policy).acknowledge(...acks);
    return policy;
  }

  /** `latest/scan.json`: the pointer to the newest report, which finalize reads and moves forward. */
  private allowLatestPointer(f: ScannerFunction) {
    this.attach(
      f,
      'FinalizeLatestPointerPolicy',
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects('latest/scan.json')],
      }),
    );
  }

  private allowObjects(f: ScannerFunction, name: string, actions: string[]) {
    const statements = [
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [this.bucket.arnForObjects('scans/*')] }),
    ];
    // A reader of keys that may be absent (a target's result, the report) needs s3:ListBucket: without it S3
    // answers a missing key with 403 AccessDenied, not 404 NoSuchKey, and the "absent" branch becomes a failure.
    if (actions.includes('s3:GetObject')) {
      statements.push(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
      );
    }
    this.attach(f, `${name}ObjectsPolicy`, statements, {
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as never)}.Arn>/scans/*]`,
      reason:
        'Object keys carry the scan id and target (scans/<scanId>/...), known only at run time. The actions are ' +
        'exact (no wildcard action), the resource is this stack’s results bucket, and only its scans/ prefix.',
    });
    this.key.grant(f, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  private allowAssumeReader(f: ScannerFunction, readerRoleNames: ReaderRoleRef[]) {
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    this.attach(
      f,
      `${f.node.id}AssumeReaderRolePolicy`,
      new PolicyStatement({
        sid: 'AssumeReaderRole',
        effect: Effect.ALLOW,
        actions: ['sts:AssumeRole'],
        resources: readerRoleNames.map(({ accountId, roleName }) =>
          Arn.format(
            { service: 'iam', region: '', account: accountId, resource: 'role', resourceName: roleName },
            this,
          ),
        ),
      }),
      ...readerRoleNames
        .filter((r) => r.accountId === '*')
        .map(({ roleName }) => ({
          id: `AwsSolutions-IAM5[Resource::arn:${partition}:iam::*:role/${roleName}]`,
          reason:
            'The accounts come from AWS Organizations at scan time, so the account is a wildcard. The role name is ' +
            'fixed, the only action is sts:AssumeRole, and a member role admits the scanner only if its trust policy ' +
            'names this scanner’s roles (MemberReaderStack). Listing aws.accounts narrows this to exact role ARNs.',
        })),
    );
  }

  private allowReadOwnAccount(f: ScannerFunction) {
    this.attach(
      f,
      `${f.node.id}ReadOwnAccountPolicy`,
      [
        ...readStatements(registeredChecks, this.partition),
        new PolicyStatement({ sid: 'WhoAmI', actions: ['sts:GetCallerIdentity'], resources: ['*'] }),
      ],
      publicParametersAcknowledgement(Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Read-only List/Describe actions. eks:ListClusters, ec2:DescribeRegions and sts:GetCallerIdentity support ' +
          'no resource-level permissions, and the EKS Describe/List actions must reach every cluster in every ' +
          'region of this account, which an identity policy cannot extend beyond this account anyway.',
      },
    );
  }

  /**
   * Azure: the functions sign in to Entra ID with a JWT from sts:GetWebIdentityToken (collectors/azure/credential.ts).
   * Google Cloud: google-auth-library exchanges a signed GetCallerIdentity, which needs no extra AWS permission.
   */
  private configureFederation(fns: ScannerFunction[]) {
    const { azure, gcp } = this.deployment.federation;
    for (const f of fns) {
      if (azure) {
        f.addEnvironment(AZURE_FEDERATION_ENV, AWS_WEB_IDENTITY);
        f.addEnvironment('AZURE_TENANT_ID', azure.tenantId);
        f.addEnvironment('AZURE_CLIENT_ID', azure.clientId);
        this.attach(
          f,
          `${f.node.id}AzureFederationTokenPolicy`,
          new PolicyStatement({
            sid: 'AzureFederationToken',
            actions: ['sts:GetWebIdentityToken'],
            resources: ['*'],
            // Only the token the credential asks for: Entra's audience, RS256, at most five minutes.
            conditions: {
              'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': [AZURE_TOKEN_EXCHANGE_AUDIENCE] },
              StringEquals: { 'sts:SigningAlgorithm': WEB_IDENTITY_SIGNING_ALGORITHM },
              NumericLessThanEquals: { 'sts:DurationSeconds': WEB_IDENTITY_TOKEN_SECONDS },
            },
          }),
          {
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason:
              'sts:GetWebIdentityToken has no resource type (Resource must be *): the token always speaks for the ' +
              'calling role. Conditions limit it to the api://AzureADTokenExchange audience, RS256 and 300 seconds.',
          },
        );
      }
      if (gcp) f.addEnvironment(GCP_CREDENTIAL_CONFIG_ENV, JSON.stringify(gcp.credentialConfig));
    }
  }

  private allowListAccounts(f: ScannerFunction) {
    this.attach(
      f,
      'PlanListAccountsPolicy',
      new PolicyStatement({
        sid: 'ListOrganizationAccounts',
        actions: ['organizations:ListAccounts'],
        resources: ['*'],
      }),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'organizations:ListAccounts supports no resource-level permissions (Resource must be *). It is read-only, ' +
          'granted to the plan function only, and works only where the organization delegates it to this account.',
      },
    );
  }

  private scheduleScans() {
    const dlq = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(dlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the scan schedule: it holds scheduled starts that failed after ' +
        'their retries, for an operator to inspect; a queue behind it would have nothing to receive. An alarm watches it.',
    });
    this.scheduleDeadLetters = dlq;
    new Schedule(this, 'Schedule', {
      description: 'kubeposture: scheduled scan of every configured target',
      schedule: ScheduleExpression.expression(this.deployment.schedule, TimeZone.of(this.deployment.timezone)),
      target: new StepFunctionsStartExecution(this.workflow.stateMachine, {
        input: ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        deadLetterQueue: dlq,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  private scheduleDeadLetters?: Queue;

  private buildApi(): RestApi {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const api = new RestApi(this, 'ScanApi', {
      description: 'kubeposture: on-demand scans and findings',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
      },
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
    });
    const validator = api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const integration = new LambdaIntegration(this.api);
    const scans = api.root.addResource('scans');
    scans.addMethod('POST', integration, { requestValidator: validator });
    scans.addResource('{id}').addMethod('GET', integration, {
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
    });
    api.root.addResource('findings').addMethod('GET', integration, { requestValidator: validator });
    Validations.of(api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway needs to write execution logs; AWS publishes this service-role policy ' +
        'for exactly that and keeps it current. It is assumable only by apigateway.amazonaws.com.',
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Every method uses AWS_IAM (SigV4) authorization: callers are IAM principals of the security account ' +
        '(people through SSO roles, pipelines through their roles); there is no user pool to authorize against.',
    });
    Validations.of(api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The API accepts only SigV4-signed requests from IAM principals allowed to execute-api:Invoke it; an unsigned ' +
        'request is refused before any integration runs. A WAF web ACL can be attached in accounts that mandate one.',
    });
    return api;
  }

  private addAlarms() {
    const action = new SnsAction(this.alerts);
    const alarms = [
      new Alarm(this, 'FailedScans', {
        alarmDescription: 'A kubeposture scan execution failed (see the state machine execution history)',
        metric: this.workflow.stateMachine.metricFailed({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'ScansWithCollectionErrors', {
        alarmDescription:
          'A kubeposture scan could not read some targets (denied, throttled, unreachable): see its report',
        metric: new Metric({
          namespace: 'kubeposture',
          metricName: 'ScanCollectionErrors',
          dimensionsMap: { service: 'kubeposture' },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'FailedScheduledStarts', {
        alarmDescription: 'A scheduled kubeposture scan could not be started (dead-letter queue not empty)',
        metric: this.scheduleDeadLetters!.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }
}

export interface ReaderRoleRef {
  /** `*` when the accounts are discovered at scan time. */
  accountId: string;
  roleName: string;
}

/**
 * Validates the scan configuration and works out which reader roles the functions may assume:
 * the exact ARNs when the config lists the accounts, otherwise the role name in any account.
 */
export function resolveScannerConfig(
  rawConfig: unknown,
  readerRoleName?: string,
): { config: Record<string, unknown>; readerRoleNames: ReaderRoleRef[]; readsOwnAccount: boolean } {
  const raw = parseRawConfig(rawConfig);
  parseConfig(raw, 'scanner stack config'); // names a bad field before anything is read from it
  const rawAws = raw.aws as Record<string, unknown> | undefined;
  const configured = rawAws?.roleName;
  if (readerRoleName !== undefined && configured !== undefined && configured !== readerRoleName) {
    throw new ConfigError(
      `readerRoleName (${readerRoleName}) and config aws.roleName (${String(configured)}) disagree; set one of them`,
    );
  }
  // The functions get the role name explicitly, so what IAM allows and what they assume are one value.
  const config = { ...raw, aws: { ...rawAws, roleName: readerRoleName ?? configured ?? DEFAULT_READER_ROLE_NAME } };
  const parsed = parseConfig(config, 'scanner stack config');
  const roleName = parsed.aws.roleName;

  const accounts = parsed.aws.organization ? undefined : parsed.aws.accounts;
  const refs: ReaderRoleRef[] = accounts
    ? accounts.map((a) => ({ accountId: a.id, roleName: a.roleName ?? roleName }))
    : [
        { accountId: '*', roleName },
        ...(parsed.aws.accounts ?? []).flatMap((a) => (a.roleName ? [{ accountId: a.id, roleName: a.roleName }] : [])),
      ];
  const seen = new Set<string>();
  return {
    config,
    readsOwnAccount: !parsed.aws.accounts && !parsed.aws.organization,
    readerRoleNames: refs.filter((r) => {
      const key = `${r.accountId}/${r.roleName}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  };
}

function parseRawConfig(rawConfig: unknown): Record<string, unknown> {
  if (rawConfig === undefined || rawConfig === null) return {};
  if (typeof rawConfig === 'string') {
    try {
      return parseRawConfig(JSON.parse(rawConfig));
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError('The scanner stack config is a string but not valid JSON');
    }
  }
  if (typeof rawConfig !== 'object' || Array.isArray(rawConfig)) {
    throw new ConfigError('The scanner stack config must be an object (the scan configuration document)');
  }
  return rawConfig as Record<string, unknown>;
}
