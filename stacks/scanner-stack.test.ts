import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { AWS_COLLECTOR_ACTIONS } from '../collectors/aws/index.ts';
import { ConfigError } from '../core/errors.ts';
import { parseDeploymentConfig } from './deployment-config.ts';
import { MemberReaderStack, memberReadActions } from './member-reader-stack.ts';
import {
  resolveScannerConfig,
  SCANNER_PUBLIC_PARAMETER_ACTIONS,
  SCANNER_READ_ACTIONS,
  SCANNER_ROLE_NAMES,
  ScannerStack,
  type ScannerStackProps,
} from './scanner-stack.ts';

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context;

function synth(props: ScannerStackProps = {}, opts: { bundle?: boolean } = {}) {
  // Bundling runs esbuild over the four handlers; do it once, for the main stack, and skip it
  // (CDK's own switch) for the variants that only look at configuration and IAM.
  const context = opts.bundle === false ? { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } : CDK_CONTEXT;
  const app = new App({ context });
  const stack = new ScannerStack(app, 'Scanner', props);
  return { app, stack, template: Template.fromStack(stack) };
}

// One bundled synth for the whole file: an organization-wide deployment, as the guide sets it up.
const main = synth({
  deployment: {
    schedule: 'cron(0 5 * * ? *)',
    scan: { aws: { organization: { exclude: ['999999999999'] }, regions: ['eu-west-1', 'us-east-1'] } },
    map: { maxConcurrency: 25, toleratedFailurePercentage: 5 },
    notifications: { emails: ['secops@example.com'] },
  },
});
// Azure and Google Cloud reached by federation (docs/deploy.md §5); not bundled, only configuration and IAM matter.
const GCP_CREDENTIAL_CONFIG = {
  type: 'external_account',
  audience: '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/kp/providers/aws',
  subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
  token_url: 'https://sts.googleapis.com/v1/token',
  credential_source: {
    environment_id: 'aws1',
    regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
  },
};
const AZURE_FEDERATION = {
  tenantId: '33333333-3333-4333-8333-333333333333',
  clientId: '44444444-4444-4444-8444-444444444444',
};
const federated = synth(
  {
    deployment: {
      scan: { aws: { organization: {} }, azure: {}, gcp: {} },
      federation: { azure: AZURE_FEDERATION, gcp: { credentialConfig: GCP_CREDENTIAL_CONFIG } },
    },
  },
  { bundle: false },
);
const memberApp = new App({ context: CDK_CONTEXT });
const member = new MemberReaderStack(memberApp, 'Member', {
  scannerAccountId: '999999999999',
  scannerRoleArns: Object.values(SCANNER_ROLE_NAMES).map((n) => `arn:aws:iam::999999999999:role/${n}`),
  checks,
  externalId: 'org-7f3a',
});
const memberTemplate = Template.fromStack(member);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
function statementsOf(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('ScannerStack', () => {
  it('runs four functions on Node 22, arm64, with their own log groups, tracing and the shared settings', () => {
    main.template.resourceCountIs('AWS::Lambda::Function', 4);
    const fns = Object.values(main.template.findResources('AWS::Lambda::Function'));
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['KUBEPOSTURE_BUCKET', 'KUBEPOSTURE_TABLE', 'KUBEPOSTURE_CONFIG']),
      );
    }
  });

  it('bundles a scan-target handler that boots as an ES module and rejects a bad event by naming the field', () => {
    // Prepare: the asset CDK staged for the function, as Lambda would unpack it.
    const [, fn] = Object.entries(main.template.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('ScanTarget'),
    )!;
    const key = fn.Properties.Code.S3Key as string;
    const bundle = join(main.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
    expect(existsSync(bundle), bundle).toBe(true);
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const context = { functionName: 'f', awsRequestId: 'r', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 60000 };
      try { await handler({ scanId: 'x' }, context); } catch (e) { console.log('RESULT ' + JSON.stringify({ name: e.name, message: e.message })); }`;

    // Act: a clean Node process, with no AWS settings at all.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' },
      encoding: 'utf8',
      timeout: 20_000,
    });

    // Assess
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, run.stderr).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length));
    expect(result.name).toBe('InvalidInputError');
    expect(result.message).toMatch(/^Invalid scan-target input: target: /);
  });

  it('keeps results in a private, KMS-encrypted, versioned bucket that refuses plain HTTP and expires old scans', () => {
    const keyId = Object.keys(main.template.findResources('AWS::KMS::Key'))[0]!;
    main.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    main.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'scans/', ExpirationInDays: 400, Status: 'Enabled' })]),
      },
    });
    for (const policy of Object.values(main.template.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('keeps state in one DynamoDB table with point-in-time recovery, the stack key and a TTL', () => {
    main.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('allows every action a check needs when the scanner reads its own account', () => {
    const allowed = new Set<string>([...SCANNER_READ_ACTIONS, ...SCANNER_PUBLIC_PARAMETER_ACTIONS]);
    const missing = checks
      .filter((c) => c.provider === 'aws')
      // `k8s:` needs are granted inside the cluster (an access entry), not by IAM.
      .flatMap((c) => c.needs.filter((n) => !n.startsWith('k8s:') && !allowed.has(n)).map((n) => `${c.id} ${n}`));
    expect(missing).toEqual([]);
  });

  it('grants no wildcard action anywhere, and no managed policy to any function', () => {
    const actions = statementsOf(main.template).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(statementsOf(main.template).every((s) => s.Effect === 'Allow')).toBe(true);
    const roles = main.template.findResources('AWS::IAM::Role');
    for (const [id, role] of Object.entries(roles)) {
      if (id.startsWith('ScanApiCloudWatchRole')) continue; // API Gateway's logging role (acknowledged)
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('lets only plan list the organization, and plan and scan-target assume only the reader role by name', () => {
    const byRole = (fragment: string) =>
      Object.values(main.template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(fragment))
        .flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => asArray(s.Action)));
    expect(byRole('PlanRole')).toContain('organizations:ListAccounts');
    for (const role of ['ScanTargetRole', 'FinalizeRole', 'ApiRole']) {
      expect(byRole(role)).not.toContain('organizations:ListAccounts');
    }
    const assume = statementsOf(main.template).filter((s) => asArray(s.Action).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(2);
    for (const s of assume) {
      expect(s.Resource).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/KubepostureReader']],
      });
    }
    main.template.hasResourceProperties('AWS::IAM::Role', { RoleName: SCANNER_ROLE_NAMES.plan });
    main.template.hasResourceProperties('AWS::IAM::Role', { RoleName: SCANNER_ROLE_NAMES.scanTarget });
  });

  it('runs plan, then a Distributed Map over the plan’s items with the configured limits, then finalize', () => {
    const sm = Object.values(main.template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    const definition = JSON.parse(
      (sm.Properties.DefinitionString['Fn::Join'][1] as unknown[])
        .map((p) => (typeof p === 'string' ? p : 'X'))
        .join(''),
    );
    expect(definition.StartAt).toBe('Plan');
    expect(definition.States.Plan.Next).toBe('ScanTargets');
    const map = definition.States.ScanTargets;
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 25,
      ToleratedFailurePercentage: 5,
      ItemReader: { Resource: expect.stringMatching(/:states:::s3:getObject$/), ReaderConfig: { InputType: 'JSON' } },
      ItemProcessor: { ProcessorConfig: expect.objectContaining({ Mode: 'DISTRIBUTED' }) },
      Next: 'Finalize',
    });
    expect(map.ItemReader.Parameters['Key.$']).toBe('$.plan.itemsKey');
    expect(map.ResultWriter).toBeDefined();
    const child = map.ItemProcessor.States.ScanTarget;
    const throttling = child.Retry.find((r: { ErrorEquals: string[] }) =>
      r.ErrorEquals.includes('ThrottlingException'),
    );
    expect(throttling).toMatchObject({ MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' });
    expect(throttling.ErrorEquals).toEqual(
      expect.arrayContaining(['ThrottlingException', 'Lambda.TooManyRequestsException']),
    );
    for (const state of ['Plan', 'ScanTargets', 'Finalize']) {
      expect(definition.States[state].Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'KnownScanId' });
    }
  });

  it('starts a scan on the configured schedule, with retries and a dead-letter queue', () => {
    main.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({
        Input: JSON.stringify({ trigger: 'schedule' }),
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
  });

  it('puts IAM authorization on every API method, with access logs and request validation', () => {
    const methods = Object.values(main.template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => `${m.Properties.HttpMethod}`).sort()).toEqual(['GET', 'GET', 'POST']);
    for (const m of methods) {
      expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(m.Properties.RequestValidatorId).toBeDefined();
    }
    main.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      TracingEnabled: true,
    });
  });

  it('alarms to the alerts topic on failed executions, scans with collection errors and failed scheduled starts', () => {
    const alarms = Object.values(main.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ExecutionsFailed',
      'ScanCollectionErrors',
    ]);
    const topicId = Object.keys(main.template.findResources('AWS::SNS::Topic'))[0];
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    main.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('assumes exact role ARNs when the config lists the accounts', () => {
    const { template, stack } = synth(
      {
        deployment: {
          scan: { aws: { accounts: [{ id: '111111111111' }, { id: '222222222222', roleName: 'LegacyAudit' }] } },
        },
      },
      { bundle: false },
    );
    const assume = statementsOf(template).find((s) => asArray(s.Action).includes('sts:AssumeRole'))!;
    const resource = (account: string, role: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${role}`]],
    });
    expect(assume.Resource).toEqual([
      resource('111111111111', 'KubepostureReader'),
      resource('222222222222', 'LegacyAudit'),
    ]);
    const actions = statementsOf(template).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('eks:') || a.startsWith('organizations:'))).toEqual([]);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('synthesizes the template it did last time (asset hashes aside)', () => {
    // The bundles' hashes change with any code change; the infrastructure should not.
    expect.addSnapshotSerializer({
      test: (v) => typeof v === 'string' && /^[a-f0-9]{64}\.zip$/.test(v),
      serialize: () => '"<asset-hash>.zip"',
    });
    expect(main.template.toJSON()).toMatchSnapshot();
  });

  it('signs in to Azure and Google Cloud by federation only when configured: plan and scan-target, env and grant', () => {
    const fnEnv = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function')).map(
        (fn) =>
          [
            fn.Properties.Description as string,
            fn.Properties.Environment.Variables as Record<string, unknown>,
          ] as const,
      );
    const FEDERATION_VARS = [
      'KUBEPOSTURE_AZURE_FEDERATION',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'KUBEPOSTURE_GCP_CREDENTIAL_CONFIG',
    ];
    for (const [, env] of fnEnv(main.template)) for (const v of FEDERATION_VARS) expect(env).not.toHaveProperty(v);
    const tokenStatements = (t: Template) =>
      statementsOf(t).filter((s) => asArray(s.Action).some((a) => a.startsWith('sts:GetWebIdentityToken')));
    expect(tokenStatements(main.template)).toEqual([]);

    const withFederation = fnEnv(federated.template).filter(([, env]) => 'KUBEPOSTURE_AZURE_FEDERATION' in env);
    expect(withFederation.map(([d]) => d).sort()).toEqual([
      'kubeposture: collects and evaluates one target',
      'kubeposture: lists the targets of a scan (Organizations, subscriptions, projects)',
    ]);
    for (const [, env] of withFederation) {
      expect(env).toMatchObject({
        KUBEPOSTURE_AZURE_FEDERATION: 'aws-web-identity',
        AZURE_TENANT_ID: AZURE_FEDERATION.tenantId,
        AZURE_CLIENT_ID: AZURE_FEDERATION.clientId,
      });
      expect(JSON.parse(env.KUBEPOSTURE_GCP_CREDENTIAL_CONFIG as string)).toEqual(GCP_CREDENTIAL_CONFIG);
    }
    // Finalize and the API never call Azure or Google Cloud.
    for (const [, env] of fnEnv(federated.template).filter(([, e]) => !('KUBEPOSTURE_AZURE_FEDERATION' in e))) {
      for (const v of FEDERATION_VARS) expect(env).not.toHaveProperty(v);
    }

    const { stack } = federated;
    const roleIds = (fns: { role?: unknown }[]) =>
      fns.map((f) => stack.getLogicalId((f.role as { node: { defaultChild: never } }).node.defaultChild)).sort();
    const grants = Object.values(federated.template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => s.Action === 'sts:GetWebIdentityToken'),
    );
    expect(grants.flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref)).sort()).toEqual(
      roleIds([stack.plan, stack.scanTarget]),
    );
    for (const p of grants) {
      expect(p.Properties.PolicyDocument.Statement).toEqual([
        {
          Sid: 'AzureFederationToken',
          Effect: 'Allow',
          Action: 'sts:GetWebIdentityToken',
          Resource: '*',
          Condition: {
            'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': ['api://AzureADTokenExchange'] },
            StringEquals: { 'sts:SigningAlgorithm': 'RS256' },
            NumericLessThanEquals: { 'sts:DurationSeconds': 300 },
          },
        },
      ]);
    }
  });

  it('wires only the cloud that is configured', () => {
    const gcpOnly = synth(
      { deployment: { scan: { gcp: {} }, federation: { gcp: { credentialConfig: GCP_CREDENTIAL_CONFIG } } } },
      { bundle: false },
    );
    expect(statementsOf(gcpOnly.template).filter((s) => s.Action === 'sts:GetWebIdentityToken')).toEqual([]);
    gcpOnly.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: Match.anyValue() }) },
    });
    for (const fn of Object.values(gcpOnly.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('KUBEPOSTURE_AZURE_FEDERATION');
    }
  });

  it('refuses, at synth, a federation setting that is wrong, naming the key', () => {
    expect(() => parseDeploymentConfig({ federation: { azure: { tenantId: AZURE_FEDERATION.tenantId } } })).toThrow(
      /kubeposture\.federation\.azure\.clientId/,
    );
    expect(() => parseDeploymentConfig({ federation: { azure: { ...AZURE_FEDERATION, clientId: 'my-app' } } })).toThrow(
      /kubeposture\.federation\.azure\.clientId: a GUID/,
    );
    expect(() =>
      parseDeploymentConfig({
        federation: {
          gcp: { credentialConfig: { ...GCP_CREDENTIAL_CONFIG, credential_source: { environment_id: 'azure1' } } },
        },
      }),
    ).toThrow(/kubeposture\.federation\.gcp\.credentialConfig\.credential_source\.environment_id: must be 'aws1'/);
    expect(() =>
      parseDeploymentConfig({ federation: { gcp: { credentialConfig: { type: 'service_account' } } } }),
    ).toThrow(/kubeposture\.federation\.gcp\.credentialConfig\.type: .*stored secret/);
  });

  it('refuses, at synth, a deployment setting that is wrong, naming the key', () => {
    expect(() => parseDeploymentConfig({ map: { maxConcurrency: 0 } })).toThrow(/kubeposture\.map\.maxConcurrency/);
    expect(() => parseDeploymentConfig({ schedule: 'every day' })).toThrow(/kubeposture\.schedule/);
    expect(() => parseDeploymentConfig({ notifications: { emails: ['nope'] } })).toThrow(ConfigError);
    expect(() => synth({ deployment: { scan: { aws: { regions: ['mars-1'] } } } }, { bundle: false })).toThrow(
      /aws\.regions\[0\]/,
    );
  });
});

describe('resolveScannerConfig', () => {
  it('refuses a reader role name that disagrees with the config', () => {
    expect(() => resolveScannerConfig({ aws: { roleName: 'A' } }, 'B')).toThrow(/disagree/);
  });

  it('accepts the config as a JSON string, as CDK context from the command line gives it', () => {
    const { config, readerRoleNames } = resolveScannerConfig('{"aws":{"roleName":"Audit"}}');
    expect(config).toEqual({ aws: { roleName: 'Audit' } });
    expect(readerRoleNames).toEqual([{ accountId: '*', roleName: 'Audit' }]);
  });

  it('refuses a config that is not a JSON object', () => {
    expect(() => resolveScannerConfig('{nope')).toThrow(/not valid JSON/);
    expect(() => resolveScannerConfig([1, 2])).toThrow(/must be an object/);
  });
});

describe('MemberReaderStack', () => {
  it('grants exactly the actions the AWS checks declare plus what the collector calls, all read-only', () => {
    const granted = statementsOf(memberTemplate).flatMap((s) => asArray(s.Action));
    expect([...granted].sort()).toEqual(memberReadActions(checks));
    expect(granted.every((a) => /^[a-z0-9-]+:(List|Describe|Get)[A-Za-z]+$/.test(a))).toBe(true);
  });

  it('fails when a check needs an action the role does not grant', () => {
    const granted = new Set(statementsOf(memberTemplate).flatMap((s) => asArray(s.Action)));
    const missing = checks
      .filter((c) => c.provider === 'aws')
      .flatMap((c) => c.needs.map((n) => ({ check: c.id, need: n })))
      // `k8s:` needs are granted inside the cluster (an access entry), not by IAM.
      .filter(({ need }) => !need.startsWith('k8s:') && !granted.has(need));
    expect(missing).toEqual([]);
    // And nothing beyond the checks and the collector.
    const declared = new Set([
      ...checks.filter((c) => c.provider === 'aws').flatMap((c) => c.needs),
      ...AWS_COLLECTOR_ACTIONS,
    ]);
    expect([...granted].filter((a) => !declared.has(a))).toEqual([]);
  });

  it('reads SSM only on the public /aws/service/ parameters, never the account’s own', () => {
    const ssm = statementsOf(memberTemplate).filter((st) => asArray(st.Action).some((a) => a.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(JSON.stringify(ssm[0]!.Resource)).toContain(':ssm:*::parameter/aws/service/*');
    expect(asArray(ssm[0]!.Resource as string | string[])).not.toContain('*');
  });

  it('trusts only the scanner’s roles, with the external id', () => {
    memberTemplate.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'KubepostureReader',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: {
              ArnEquals: {
                'aws:PrincipalArn': [
                  'arn:aws:iam::999999999999:role/kubeposture-plan',
                  'arn:aws:iam::999999999999:role/kubeposture-scan-target',
                ],
              },
              StringEquals: { 'sts:ExternalId': 'org-7f3a' },
            },
          }),
        ],
      },
    });
    memberTemplate.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  it('adds a read-only EKS access entry per named cluster only when asked to', () => {
    const app = new App({ context: CDK_CONTEXT });
    const stack = new MemberReaderStack(app, 'M', {
      scannerAccountId: '999999999999',
      scannerRoleArns: ['arn:aws:iam::999999999999:role/kubeposture-scan-target'],
      checks,
      eksViewAccess: { clusterNames: ['payments-prod'] },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'payments-prod',
      AccessPolicies: [
        Match.objectLike({
          PolicyArn: Match.objectLike({}),
          AccessScope: { Type: 'namespace', Namespaces: ['kube-system'] },
        }),
      ],
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['scanner', main.app, main.stack],
    ['member reader', memberApp, member],
    ['federated scanner', federated.app, federated.stack],
  ] as [string, App, Stack][])('reports no unacknowledged error or warning on the %s stack', (_name, app, stack) => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const open = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`);
    expect(open).toEqual([]);
  });

  it('has every acknowledgement beside the resource it excuses, with a real reason', () => {
    const acks: { path: string; id: string; reason: string; isResourceOwner: boolean }[] = [];
    const visit = (c: IConstruct) => {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acks.push({
            path: c.node.path,
            id,
            reason,
            isResourceOwner: CfnResource.isCfnResource(c) || c.node.children.some(CfnResource.isCfnResource),
          });
        }
      }
      for (const child of c.node.children) visit(child);
    };
    visit(main.app);
    visit(memberApp);
    visit(federated.app);

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(
        [main.app.node.path, main.stack.node.path, member.node.path, federated.stack.node.path],
        `${ack.id} is app- or stack-wide`,
      ).not.toContain(ack.path);
      expect(ack.isResourceOwner, `${ack.id} at ${ack.path} is not on a resource`).toBe(true);
      expect(ack.reason.length, `${ack.id} at ${ack.path} needs a reason`).toBeGreaterThanOrEqual(80);
    }
  });
});
