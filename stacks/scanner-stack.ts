import {
  Arn,
  ArnFormat,
  Aws,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnSubscription, Topic } from 'aws-cdk-lib/aws-sns';
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
import { METRIC, METRIC_NAMESPACE, METRIC_SERVICE, SECURITY_HUB_IMPORT_KEY } from '../functions/stack-contract.ts';
import { functionEntry, type ScannerFunctionName } from './bundling.ts';
import { EventPath } from './constructs/event-path.ts';
import { ScanWorkflow } from './constructs/scan-workflow.ts';
import { ScannerFunction } from './constructs/scanner-function.ts';
import { type DeploymentConfig, parseDeploymentConfig, scanTargetConcurrency } from './deployment-config.ts';
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
export const SCANNER_ROLE_NAMES = {
  plan: 'kubeposture-plan',
  scanTarget: 'kubeposture-scan-target',
  /** Change-driven rescans (deployment `events`); trusted by the member role even before it exists. */
  rescan: 'kubeposture-rescan',
} as const;

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
}

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
  readonly dashboard: Dashboard;
  /** Change-driven rescans: present when the deployment sets `events`. */
  readonly rescan?: ScannerFunction;
  readonly eventPath?: EventPath;
  private slackSecret?: Secret;

  constructor(scope: Construct, id: string, props: ScannerStackProps = {}) {
    super(scope, id, props);
    this.deployment = parseDeploymentConfig(props.deployment);
    const { config, readerRoleNames, readsOwnAccount } = resolveScannerConfig(
      this.deployment.scan,
      props.readerRoleName,
    );

    this.key = new Key(this, 'Key', {
      description: 'kubeposture: scan results, finding state, alerts, logs and the Slack secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.admitServicesToKey();

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
      name: ScannerFunctionName,
      description: string,
      more: Partial<ConstructorParameters<typeof ScannerFunction>[2]> = {},
    ) =>
      new ScannerFunction(this, fid, {
        entry: functionEntry(name),
        description,
        sourceMaps: this.deployment.sourceMaps,
        environment: common,
        logRetention: props.logRetention,
        logEncryptionKey: this.key,
        ...more,
      });
    this.plan = fn(
      'Plan',
      'plan',
      'kubeposture: lists the targets of a scan (Organizations, subscriptions, projects)',
      { timeout: Duration.minutes(10), roleName: SCANNER_ROLE_NAMES.plan },
    );
    this.scanTarget = fn('ScanTarget', 'scan-target', 'kubeposture: collects and evaluates one target', {
      reservedConcurrentExecutions: scanTargetConcurrency(this.deployment),
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
    // Powertools idempotency removes a record whose call failed; the API and plan release the admission lease.
    for (const f of [this.api, this.plan]) this.table.grant(f, 'dynamodb:DeleteItem');
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
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: say who may publish.
    this.alerts.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alerts.topicArn],
        conditions: this.alarmSourceConditions(),
      }),
    );
    for (const email of this.deployment.notifications.emails) {
      this.alerts.addSubscription(new EmailSubscription(email));
    }
    for (const sub of this.alerts.node.children.filter((c) => c.node.defaultChild instanceof CfnSubscription)) {
      Validations.of(sub).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail subscription of the alerts topic: a dead-letter queue for undeliverable alert mails would need an ' +
          'alarm of its own, which could only notify through this same topic. SNS retries delivery, and the alarms ' +
          'stay in ALARM on the dashboard until someone looks.',
      });
    }
    if (this.deployment.notifications.slack) {
      this.slackSecret = new Secret(this, 'SlackWebhook', {
        description: 'kubeposture: Slack incoming-webhook URL for the scan digest (set the value after deploy)',
        encryptionKey: this.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.slackSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A Slack incoming-webhook URL is issued by Slack and cannot be rotated by a Lambda rotation function; ' +
          'it is replaced by hand when revoked (docs/deploy.md). It is encrypted with the stack key and readable ' +
          'only by the functions that notify (finalize, and rescan when change events are on).',
      });
    }
    this.allowNotifications(this.finalize);

    this.scheduleScans();
    this.restApi = this.buildApi();
    if (this.deployment.events) {
      this.rescan = fn('Rescan', 'rescan', 'kubeposture: rescans the clusters named by change events (CloudTrail)', {
        timeout: Duration.minutes(3),
        roleName: SCANNER_ROLE_NAMES.rescan,
      });
      this.eventPath = this.buildEventPath(this.rescan, this.deployment.events, readerRoleNames, readsOwnAccount);
    }
    this.addAlarms();
    this.dashboard = this.buildDashboard();
  }

  /** `aws:SourceAccount` and `aws:SourceArn` for CloudWatch alarms of this account and region (confused deputy). */
  private alarmSourceConditions() {
    return {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': Arn.format(
          { service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME },
          this,
        ),
      },
    };
  }

  /**
   * The stack key encrypts resources that AWS services write to on our behalf; each needs a key-policy
   * statement of its own (a service principal has no identity policy):
   * - CloudWatch alarms publish to the encrypted alerts topic: SNS asks KMS for a data key as CloudWatch;
   * - CloudWatch Logs encrypts the functions', the state machine's and the API's log groups, only for log groups
   *   of this account and region (the encryption context names the log group).
   * The scheduler writes to the encrypted dead-letter queue through its own role (see `scheduleScans`).
   */
  private admitServicesToKey() {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: this.alarmSourceConditions(),
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptLogGroups',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Arn.format(
              { service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME },
              this,
            ),
          },
        },
      }),
    );
  }

  /**
   * Security Hub CSPM (docs/deploy.md §6): finalize imports new, regressed and resolved findings as ASFF into this
   * account and region. BatchImportFindings is authorized on the product the findings name: this account's
   * private `default` product, nothing else.
   */
  private importIntoSecurityHub(f: ScannerFunction) {
    f.addEnvironment('KUBEPOSTURE_SECURITYHUB_ACCOUNT', Aws.ACCOUNT_ID);
    // When the last complete import happened (functions/publisher.ts SECURITY_HUB_IMPORT_KEY): one object.
    this.attach(
      f,
      `${f.node.id}SecurityHubImportRecordPolicy`,
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.bucket.arnForObjects(SECURITY_HUB_IMPORT_KEY)],
      }),
    );
    f.addToRolePolicy(
      new PolicyStatement({
        sid: 'ImportFindingsIntoSecurityHub',
        actions: ['securityhub:BatchImportFindings'],
        resources: [
          Arn.format({ service: 'securityhub', resource: 'product', resourceName: `${Aws.ACCOUNT_ID}/default` }, this),
        ],
      }),
    );
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
        // DescribeOrganization names the management account, which plan leaves out (no StackSet role there).
        actions: ['organizations:ListAccounts', 'organizations:DescribeOrganization'],
        resources: ['*'],
      }),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'organizations:ListAccounts and DescribeOrganization support no resource-level permissions (Resource must ' +
          'be *). They are read-only, granted to the plan function only; ListAccounts works only where the ' +
          'organization delegates it to this account.',
      },
    );
  }

  /** What a function that reconciles and alerts needs: the alerts topic, the Slack secret, Security Hub when on. */
  private allowNotifications(f: ScannerFunction) {
    if (this.slackSecret) {
      f.addToRolePolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.slackSecret.secretArn] }),
      );
      f.addEnvironment('KUBEPOSTURE_SLACK_SECRET_ARN', this.slackSecret.secretArn);
    }
    // Explicit actions: grantPublish on an encrypted topic would add kms:GenerateDataKey* (a wildcard action).
    f.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.alerts.topicArn] }));
    f.addEnvironment('KUBEPOSTURE_ALERTS_TOPIC_ARN', this.alerts.topicArn);
    f.addEnvironment('KUBEPOSTURE_ALERT_SEVERITY', this.deployment.notifications.severityThreshold);
    if (this.deployment.securityHub.enabled) this.importIntoSecurityHub(f);
  }

  /**
   * Change-driven rescans (docs/deploy.md §9): the central bus, queues and alarm (EventPath), and what the rescan
   * function does per batch: collect the named clusters as scan-target does (reader role), reconcile and alert as
   * finalize does (state, alerts topic, Slack, Security Hub), and start account-wide scans for IAM trust changes.
   */
  private buildEventPath(
    f: ScannerFunction,
    events: NonNullable<DeploymentConfig['events']>,
    readerRoleNames: ReaderRoleRef[],
    readsOwnAccount: boolean,
  ): EventPath {
    const path = new EventPath(this, 'Events', {
      organizationId: events.organizationId,
      rescan: f,
      key: this.key,
      alarmAction: new SnsAction(this.alerts),
      delaySeconds: events.delaySeconds,
      batchWindowSeconds: events.batchWindowSeconds,
      settleSeconds: events.settleSeconds,
      maxConcurrency: events.maxConcurrency,
    });
    this.allowAssumeReader(f, readerRoleNames);
    if (readsOwnAccount) this.allowReadOwnAccount(f);
    this.allowObjects(f, 'Rescan', ['s3:GetObject', 's3:PutObject']);
    this.table.grant(f, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
    this.key.grant(f, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    this.allowNotifications(f);
    // IAM trust changes: an account-wide scan through the workflow (plan admits it like any scan).
    f.addEnvironment('KUBEPOSTURE_STATE_MACHINE_ARN', this.workflow.stateMachine.stateMachineArn);
    this.workflow.stateMachine.grantStartExecution(f);
    return path;
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
    Validations.of(dlq).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the scan schedule; nothing consumes it automatically, so ' +
        'there is no failed consumption to redrive. An alarm fires when it holds a message.',
    });
    // The scheduler's own role, so it can also encrypt what it sends to the KMS-encrypted dead-letter queue
    // (CDK's generated role gets sqs:SendMessage only, and a failed scheduled start would be lost).
    const role = new Role(this, 'ScheduleRole', {
      description: 'kubeposture: EventBridge Scheduler starts the scan workflow and dead-letters failed starts',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': Arn.format(
              { service: 'scheduler', resource: 'schedule-group', resourceName: 'default' },
              this,
            ),
          },
        },
      }),
    });
    role.addToPolicy(
      new PolicyStatement({
        sid: 'EncryptDeadLetters',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    new Schedule(this, 'Schedule', {
      description: 'kubeposture: scheduled scan of every configured target',
      schedule: ScheduleExpression.expression(this.deployment.schedule, TimeZone.of(this.deployment.timezone)),
      target: new StepFunctionsStartExecution(this.workflow.stateMachine, {
        input: ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        role,
        deadLetterQueue: dlq,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  private scheduleDeadLetters?: Queue;

  private buildApi(): RestApi {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      encryptionKey: this.key,
    });
    const limits = this.deployment.limits;
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
        // Guard rails for every caller together (IAM authorization has no API keys, so a usage plan would meter
        // nothing): the stage's default, and a tighter limit on starting scans, each of which may fan out to
        // the whole organization.
        throttlingRateLimit: limits.apiRatePerSecond,
        throttlingBurstLimit: limits.apiBurst,
        methodOptions: {
          '/scans/POST': {
            throttlingRateLimit: limits.startScanRatePerSecond,
            throttlingBurstLimit: limits.startScanBurst,
          },
        },
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
        metric: scanMetric(METRIC.scanCollectionErrors, 'Maximum'),
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
      new Alarm(this, 'PublishingFailures', {
        alarmDescription:
          'A kubeposture scan finished but a publishing sink failed (report archive, Slack, e-mail or Security Hub): see the finalize logs',
        metric: scanMetric(METRIC.publishFailures, 'Maximum'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }

  /**
   * One page for operators: what the last scans found and how they ran (the EMF metrics finalize emits,
   * functions/stack-contract.ts), and the machinery's health (Lambda errors and throttles, workflow failures,
   * dead-lettered scheduled starts, API errors).
   */
  private buildDashboard(): Dashboard {
    const fns = {
      Plan: this.plan,
      ScanTarget: this.scanTarget,
      Finalize: this.finalize,
      Api: this.api,
      ...(this.rescan ? { Rescan: this.rescan } : {}),
    };
    const perFunction = (make: (f: ScannerFunction) => IMetric) =>
      Object.entries(fns).map(([label, f]) => withLabel(make(f), label));
    const sm = this.workflow.stateMachine;
    const period = Duration.hours(1);
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${this.stackName}-${Aws.REGION}`,
      defaultInterval: Duration.days(14),
    });
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Scan duration (seconds)',
        left: [scanMetric(METRIC.scanDuration, 'Maximum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Targets failed and collection errors per scan',
        left: [scanMetric(METRIC.targetsFailed, 'Maximum'), scanMetric(METRIC.scanCollectionErrors, 'Maximum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Findings: new, regressed, resolved',
        left: [
          scanMetric(METRIC.findingsNew, 'Sum'),
          scanMetric(METRIC.findingsRegressed, 'Sum'),
          scanMetric(METRIC.findingsResolved, 'Sum'),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: perFunction((f) => f.metricErrors({ period: Duration.minutes(5) })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda throttles',
        left: perFunction((f) => f.metricThrottles({ period: Duration.minutes(5) })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Workflow executions',
        left: [
          withLabel(sm.metricFailed({ period: Duration.minutes(5) }), 'failed'),
          withLabel(sm.metricTimedOut({ period: Duration.minutes(5) }), 'timed out'),
          withLabel(sm.metricAborted({ period: Duration.minutes(5) }), 'aborted'),
          withLabel(sm.metricSucceeded({ period: Duration.minutes(5) }), 'succeeded'),
          // Succeeded executions that scanned nothing: another scan covered an overlapping scope (plan).
          withLabel(scanMetric(METRIC.scansSkipped, 'Sum', Duration.minutes(5)), 'skipped (scope busy)'),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Open FAIL findings (last scan)',
        metrics: [scanMetric(METRIC.failedFindings, 'Maximum', Duration.days(1))],
        width: 8,
      }),
      new GraphWidget({
        title: 'Failed scheduled starts and publishing failures',
        left: [
          withLabel(
            this.scheduleDeadLetters!.metricApproximateNumberOfMessagesVisible({ period }),
            'dead-lettered starts',
          ),
          scanMetric(METRIC.publishFailures, 'Maximum'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'API 4xx / 5xx',
        left: [
          withLabel(this.restApi.metricClientError({ period: Duration.minutes(5) }), '4xx (throttled: 429)'),
          withLabel(this.restApi.metricServerError({ period: Duration.minutes(5) }), '5xx'),
        ],
        width: 8,
      }),
    );
    return dashboard;
  }
}

/** A metric finalize (or plan) emits once per scan, by its name in functions/stack-contract.ts. */
function scanMetric(name: string, statistic: string, period = Duration.hours(1)): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRIC_SERVICE },
    statistic,
    period,
  });
}

function withLabel(metric: IMetric, label: string): IMetric {
  return metric instanceof Metric || metric instanceof MathExpression ? metric.with({ label }) : metric;
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
