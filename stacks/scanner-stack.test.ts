import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { AWS_COLLECTOR_ACTIONS } from '../collectors/aws/index.ts';
import { EKS_RESCAN_EVENTS, IAM_RESCAN_EVENTS, SETTLING_EKS_EVENTS } from '../core/cluster-events.ts';
import { parseConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { METRIC, SECURITY_HUB_IMPORT_KEY } from '../functions/stack-contract.ts';
import { loadSampleFleet, startSimulatedCloud } from '../sim/index.ts';
import {
  AWS_BUNDLE_BUDGET_BYTES,
  bundleFiles,
  bundleSources,
  loadedAtImport,
  NON_AWS_SDK,
  totalBytes,
} from './bundling.ts';
import { EVENT_BUS_NAME } from './constructs/event-path.ts';
import { parseDeploymentConfig } from './deployment-config.ts';
import { MemberEventsStack, resolveScannerRegion } from './member-events-stack.ts';
import { MemberReaderStack, memberReadActions, resolveScannerAccountId } from './member-reader-stack.ts';
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

/** Runs `f` without CDK's "Bundling asset <path>..." progress lines on stderr; everything else still shows. */
function withoutBundlingProgress<T>(f: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    /^Bundling asset \S+\.\.\.\s*$/.test(String(chunk))
      ? true
      : (write as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return f();
  } finally {
    process.stderr.write = write;
  }
}

// One bundled synth for the whole file: an organization-wide deployment, as the guide sets it up.
const main = withoutBundlingProgress(() =>
  synth({
    deployment: {
      schedule: 'cron(0 5 * * ? *)',
      scan: { aws: { organization: { exclude: ['999999999999'] }, regions: ['eu-west-1', 'us-east-1'] } },
      map: { maxConcurrency: 25, toleratedFailurePercentage: 5 },
      notifications: { emails: ['secops@example.com'] },
      events: { organizationId: 'o-a1b2c3d4e5' },
    },
  }),
);
/** The directory CDK staged for a function of the main stack (by logical id prefix), as Lambda would unpack it. */
function assetDir(idPrefix: string): string {
  const [, fn] = Object.entries(main.template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith(idPrefix),
  )!;
  const key = fn.Properties.Code.S3Key as string;
  return join(main.app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}
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
  scannerRoleNames: Object.values(SCANNER_ROLE_NAMES),
  checks,
  externalId: 'org-7f3a',
});
const memberTemplate = Template.fromStack(member);
// With change-driven rescans on: the per-region template whose rule forwards changes to the central bus.
const memberEventsApp = new App({ context: CDK_CONTEXT });
const memberEvents = new MemberEventsStack(memberEventsApp, 'MemberEvents', {
  scannerAccountId: '999999999999',
  scannerRegion: 'eu-west-1',
});
const memberEventsTemplate = Template.fromStack(memberEvents);

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
  it('runs five functions on Node 22, arm64, with their own log groups, tracing and the shared settings', () => {
    main.template.resourceCountIs('AWS::Lambda::Function', 5);
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
    const bundle = join(assetDir('ScanTarget'), 'index.mjs');
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

  it('gives each function its own bundle; an AWS cold start of plan, scan-target or rescan loads no Azure or Google SDK', () => {
    const keys = Object.values(main.template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Code.S3Key,
    );
    expect(new Set(keys).size).toBe(5);
    for (const fn of ['Plan', 'ScanTarget', 'Rescan']) {
      const dir = assetDir(fn);
      const atImport = loadedAtImport(dir);
      expect(totalBytes(dir, atImport), fn).toBeLessThanOrEqual(AWS_BUNDLE_BUDGET_BYTES);
      expect(
        bundleSources(dir, atImport).filter((s) => NON_AWS_SDK.test(s)),
        fn,
      ).toEqual([]);
      // Not vacuous: Azure and Google targets are still served, from chunks loaded on demand (rescan: AWS events only).
      if (fn === 'Rescan') continue;
      const all = bundleSources(dir, bundleFiles(dir));
      expect(
        all.some((s) => s.includes('node_modules/@azure/arm-containerservice/')),
        fn,
      ).toBe(true);
      expect(
        all.some((s) => s.includes('node_modules/@google-cloud/container/')),
        fn,
      ).toBe(true);
    }
  });

  it('serves Azure and Google targets from the chunks scan-target loads on demand (against the simulated clouds)', async () => {
    // Prepare: the simulator here, on loopback; a plain Node process imports the bundled collectors' chunks by their
    // real export names, as the handler's import() does, with fixed-token credentials (as sim/clients.ts makes them).
    const dir = assetDir('ScanTarget');
    const chunkOf = (source: string) =>
      bundleFiles(dir).find((f) => bundleSources(dir, [f]).some((s) => s.endsWith(source)))!;
    const url = (path: string) => JSON.stringify(pathToFileURL(path).href);
    const sim = await startSimulatedCloud(await loadSampleFleet());
    const config = parseConfig({ azure: { maxAttempts: 1 }, gcp: { maxAttempts: 1 } });
    const script = `
      import { createRequire } from 'node:module';
      const { OAuth2Client } = createRequire(${url(fileURLToPath(import.meta.url))})('google-auth-library');
      const { createAzureCollector } = await import(${url(join(dir, chunkOf('collectors/azure/index.ts')))});
      const { createGcpCollector } = await import(${url(join(dir, chunkOf('collectors/gcp/index.ts')))});
      const config = ${JSON.stringify(config)};
      const expires = Date.now() + 3_600_000;
      const authClient = new OAuth2Client();
      authClient.setCredentials({ access_token: 'sim-gcp-token', expiry_date: expires });
      const credential = { getToken: async () => ({ token: 'sim-arm-token', expiresOnTimestamp: expires }) };
      const collectors = [
        createAzureCollector(config, { endpoint: ${JSON.stringify(sim.azure!.endpoint)}, ca: ${JSON.stringify(sim.azure!.ca)}, credential }),
        createGcpCollector(config, { endpoint: ${JSON.stringify(sim.gcp!.endpoint)}, authClient }),
      ];
      const result = [];
      for (const c of collectors) {
        const plan = await c.plan();
        const collected = await Promise.all(plan.targets.map((t) => c.collect(t)));
        result.push({ provider: c.provider, clusters: collected.reduce((n, x) => n + x.snapshots.length, 0) });
      }
      console.log('RESULT ' + JSON.stringify(result));`;

    // Act
    const run = await new Promise<{ stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true' }, timeout: 60_000 },
        (_error, stdout, stderr) => done({ stdout, stderr }),
      );
    }).finally(() => sim.close());

    // Assess: the sample fleet's AKS and GKE clusters, read through the bundled SDKs.
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    // The tail: an error in a minified chunk comes after the whole offending line.
    expect(line, run.stderr.slice(-1500)).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length)) as { provider: string; clusters: number }[];
    expect(result.map((r) => r.provider)).toEqual(['azure', 'gcp']);
    for (const r of result) expect(r.clusters, r.provider).toBeGreaterThan(0);
  });

  it('ships source maps as files and enables them at run time only when the deployment asks', () => {
    const nodeOptions = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn.Properties.Environment.Variables as Record<string, unknown>).NODE_OPTIONS,
      );
    expect(existsSync(join(assetDir('ScanTarget'), 'index.mjs.map'))).toBe(true);
    expect(nodeOptions(main.template)).toEqual(Array(5).fill(undefined));
    const debug = synth({ deployment: { sourceMaps: true } }, { bundle: false });
    expect(nodeOptions(debug.template)).toEqual(Array(4).fill('--enable-source-maps'));
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
    expect(byRole('PlanRole')).toEqual(
      expect.arrayContaining(['organizations:ListAccounts', 'organizations:DescribeOrganization']),
    );
    for (const role of ['ScanTargetRole', 'FinalizeRole', 'ApiRole']) {
      expect(byRole(role)).not.toContain('organizations:ListAccounts');
      expect(byRole(role)).not.toContain('organizations:DescribeOrganization');
    }
    const assume = statementsOf(main.template).filter((s) => asArray(s.Action).includes('sts:AssumeRole'));
    expect(assume).toHaveLength(3); // plan, scan-target, rescan
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
    // A scan that another one's overlapping scope kept from starting ends successfully, without scanning.
    expect(definition.States.Plan.Next).toBe('Started');
    expect(definition.States.Started).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.plan.skipped', IsPresent: true, Next: 'Skipped' }],
      Default: 'ScanTargets',
    });
    expect(definition.States.Skipped).toMatchObject({ Type: 'Succeed' });
    expect(definition.States.Plan.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['ScanAdmissionBusyError'], MaxAttempts: 3 }),
    );
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

  it('alarms to the alerts topic on failed executions, collection errors, failed scheduled starts, publishing and dead-lettered rescans', () => {
    const alarms = Object.values(main.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ExecutionsFailed',
      'PublishFailures',
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

describe('change-driven rescans (deployment events)', () => {
  const ALL_EVENTS = [...EKS_RESCAN_EVENTS, ...IAM_RESCAN_EVENTS];
  const queues = () => main.template.findResources('AWS::SQS::Queue');
  const logicalId = (prefix: string) => Object.keys(queues()).find((id) => id.startsWith(prefix))!;

  it('puts a central bus in the security account that admits only the organization', () => {
    main.template.hasResourceProperties('AWS::Events::EventBus', { Name: EVENT_BUS_NAME });
    const policies = Object.values(main.template.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.Statement).toEqual({
      Sid: 'cdk-OrganizationMembersPutEvents',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventsBus/), 'Arn'] },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
  });

  it('routes every successful change to the rescan queue, and asynchronous EKS changes to the settle queue too', () => {
    const rules = Object.values(main.template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    const [all, settle] = ['Queue', 'SettleQueue'].map((q) => {
      const rule = rules.find((r) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === logicalId(`Events${q}`))!;
      expect(rule.Properties.EventBusName).toEqual({ Ref: expect.stringMatching(/^EventsBus/) });
      expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [logicalId('EventsDeadLetters'), 'Arn'] },
      });
      return rule.Properties.EventPattern;
    });
    expect(all).toEqual({
      source: ['aws.eks', 'aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['eks.amazonaws.com', 'iam.amazonaws.com'],
        eventName: ALL_EVENTS,
        errorCode: [{ exists: false }],
      },
    });
    expect(ALL_EVENTS).toHaveLength(19);
    expect(settle.source).toEqual(['aws.eks']);
    expect(settle.detail.eventName).toEqual([...SETTLING_EKS_EVENTS]);
    expect(settle.detail.eventName).not.toContain('CreateAccessEntry');
  });

  it('coalesces in encrypted queues with a delivery delay, dead-letters after three receives, and alarms on it', () => {
    const q = queues();
    expect(q[logicalId('EventsQueue')]!.Properties).toMatchObject({
      DelaySeconds: 60,
      KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
      RedrivePolicy: { maxReceiveCount: 3 },
      VisibilityTimeout: 6 * 180 + 30,
    });
    expect(q[logicalId('EventsSettleQueue')]!.Properties).toMatchObject({ DelaySeconds: 900 });
    expect(q[logicalId('EventsDeadLetters')]!.Properties.KmsMasterKeyId).toBeDefined();
    const mappings = Object.values(main.template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m.Properties).toMatchObject({
        FunctionName: { Ref: expect.stringMatching(/^Rescan/) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumBatchingWindowInSeconds: 30,
        BatchSize: 100,
        ScalingConfig: { MaximumConcurrency: 5 },
      });
    }
    const alarm = Object.values(main.template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) =>
        JSON.stringify(a.Properties.Dimensions) ===
        JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId('EventsDeadLetters'), 'QueueName'] } }]),
    );
    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      AlarmActions: [{ Ref: expect.stringMatching(/^Alerts/) }],
    });
    // EventBridge may encrypt into the queues only for rules of this bus.
    const key = Object.values(main.template.findResources('AWS::KMS::Key'))[0]!;
    const grant = key.Properties.KeyPolicy.Statement.find(
      (st: { Sid?: string }) => st.Sid === 'EventBridgeRulesOfTheRescanBus',
    );
    expect(grant.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(JSON.stringify(grant.Condition.ArnLike)).toContain(`:rule/${EVENT_BUS_NAME}/*`);
  });

  it('gives rescan a fixed role name, the reader role, the state, alerts and the workflow, and nothing to list accounts', () => {
    main.template.hasResourceProperties('AWS::IAM::Role', { RoleName: SCANNER_ROLE_NAMES.rescan });
    const rescanActions = Object.values(main.template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('RescanRole'))
      .flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((st) => asArray(st.Action)));
    expect(rescanActions).toEqual(
      expect.arrayContaining([
        'sts:AssumeRole',
        'dynamodb:UpdateItem',
        'sns:Publish',
        'states:StartExecution',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
      ]),
    );
    expect(rescanActions).not.toContain('organizations:ListAccounts');
    expect(rescanActions).not.toContain('sqs:SendMessage');
  });

  it('is absent unless the deployment sets events, and refuses a bad setting naming the key', () => {
    const plain = synth({}, { bundle: false });
    for (const type of ['AWS::Events::EventBus', 'AWS::Lambda::EventSourceMapping', 'AWS::SQS::Queue']) {
      plain.template.resourceCountIs(type, type === 'AWS::SQS::Queue' ? 1 : 0); // the schedule's dead letters
    }
    expect(() => parseDeploymentConfig({ events: { organizationId: '123456789012' } })).toThrow(
      /kubeposture\.events\.organizationId/,
    );
    expect(() => parseDeploymentConfig({ events: { organizationId: 'o-a1b2c3d4e5', delaySeconds: 900 } })).toThrow(
      /kubeposture\.events\.settleSeconds: must be more than events\.delaySeconds/,
    );
  });

  it('forwards the same changes from each member account to the central bus, signed by a role of that account', () => {
    memberTemplate.resourceCountIs('AWS::Events::Rule', 0);
    const rules = Object.values(memberEventsTemplate.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.EventPattern.detail.eventName).toEqual(ALL_EVENTS);
    expect(rule.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    expect(rule.EventBusName).toBeUndefined(); // the account's default bus, where CloudTrail events arrive
    const busArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:999999999999:event-bus/kubeposture-events'],
      ],
    };
    expect(rule.Targets[0].Arn).toEqual(busArn);
    expect(rule.Targets[0].RoleArn).toBeDefined();
    const putEvents = statementsOf(memberEventsTemplate).filter((st) =>
      asArray(st.Action).includes('events:PutEvents'),
    );
    expect(putEvents.map((st) => st.Resource)).toEqual([busArn]);
    const json = memberEventsTemplate.toJSON();
    expect(JSON.stringify(json)).not.toMatch(/arn:aws[:-]/);
    // StackSet-ready like the reader: no bootstrap parameter or rule, no CDK metadata, no role of the reader's.
    expect(json.Parameters?.BootstrapVersion).toBeUndefined();
    expect(json.Rules?.CheckBootstrapVersion).toBeUndefined();
    memberEventsTemplate.resourceCountIs('AWS::CDK::Metadata', 0);
    expect(JSON.stringify(json)).not.toContain('KubepostureReader');
  });

  it('takes the central bus’s region from the setting or the deployment, or fails naming the setting', () => {
    expect(resolveScannerRegion('cn-north-1', 'eu-west-1')).toBe('cn-north-1');
    expect(resolveScannerRegion(undefined, 'eu-west-1')).toBe('eu-west-1');
    expect(() => resolveScannerRegion(undefined, undefined)).toThrow(/kubeposture:scannerRegion/);
    expect(() => resolveScannerRegion('Europe', undefined)).toThrow(/kubeposture:scannerRegion/);
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
              // Partition-aware: the template also deploys in aws-cn and aws-us-gov organizations.
              ArnEquals: {
                'aws:PrincipalArn': ['kubeposture-plan', 'kubeposture-scan-target', 'kubeposture-rescan'].map((n) => ({
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::999999999999:role/${n}`]],
                })),
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
      scannerRoleNames: [SCANNER_ROLE_NAMES.scanTarget],
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

describe('cdk-nag AwsSolutions and Serverless', () => {
  const stacks = [
    ['scanner', main.app, main.stack],
    ['member reader', memberApp, member],
    ['member events', memberEventsApp, memberEvents],
    ['federated scanner', federated.app, federated.stack],
  ] as [string, App, Stack][];
  const packs = [
    ['AwsSolutions', (app: App) => new AwsSolutionsChecks(app)],
    ['Serverless', (app: App) => new ServerlessChecks(app)],
  ] as const;
  it.each(stacks.flatMap(([name, app, stack]) => packs.map(([pack, make]) => [pack, name, app, stack, make] as const)))(
    '%s reports no unacknowledged error or warning on the %s stack',
    (_pack, _name, app, stack, make) => {
      const report = make(app).validateScope(stack);
      const open = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`);
      expect(open).toEqual([]);
    },
  );

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
    visit(memberEventsApp);
    visit(federated.app);

    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(
        [main.app.node.path, main.stack.node.path, member.node.path, memberEvents.node.path, federated.stack.node.path],
        `${ack.id} is app- or stack-wide`,
      ).not.toContain(ack.path);
      expect(ack.isResourceOwner, `${ack.id} at ${ack.path} is not on a resource`).toBe(true);
      expect(ack.reason.length, `${ack.id} at ${ack.path} needs a reason`).toBeGreaterThanOrEqual(80);
    }
  });
});

describe('the member template, as a service-managed StackSet deploys it', () => {
  const json = JSON.stringify(memberTemplate.toJSON());

  it('carries no CDK bootstrap parameter or rule, no CDK metadata and no asset', () => {
    const t = memberTemplate.toJSON();
    expect(t.Parameters?.BootstrapVersion).toBeUndefined();
    expect(t.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(Object.keys(t.Parameters ?? {})).toEqual([]);
    expect(memberTemplate.findResources('AWS::CDK::Metadata')).toEqual({});
    expect(json).not.toMatch(/cdk-hnb659fds|AssetParameters/);
  });

  it('hard-codes no partition: every ARN uses AWS::Partition', () => {
    expect(json).not.toContain('arn:aws:');
    expect(json).not.toContain('arn:aws-');
  });

  it('trusts the scanner account named at synth, never the account it is deployed into', () => {
    expect(json).not.toContain('AWS::AccountId');
    expect(json).toContain(':iam::999999999999:root');
  });

  it('requires the scanner account: unknown, it fails naming the setting; a bad one is refused', () => {
    expect(() => resolveScannerAccountId(undefined, undefined)).toThrow(/kubeposture:scannerAccountId is not set/);
    // What CDK gives when no credentials name an account: a token that would render as AWS::AccountId.
    expect(() => resolveScannerAccountId(undefined, member.account)).toThrow(/kubeposture:scannerAccountId/);
    expect(() => resolveScannerAccountId('12345', undefined)).toThrow(
      /kubeposture:scannerAccountId must be a 12-digit AWS account id \(got "12345"\)/,
    );
    expect(resolveScannerAccountId(undefined, '222222222222')).toBe('222222222222');
    expect(resolveScannerAccountId(333333333333, '222222222222')).toBe('333333333333');
    expect(
      () =>
        new MemberReaderStack(new App({ context: CDK_CONTEXT }), 'Bad', {
          scannerAccountId: 'not-an-account',
          scannerRoleNames: [SCANNER_ROLE_NAMES.plan],
          checks,
        }),
    ).toThrow(/kubeposture:scannerAccountId/);
  });

  it('makes `cdk synth` of the app fail without a scanner account or with an external id the scanner does not send', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'kubeposture-synth-'));
    const run = (context: Record<string, unknown>) =>
      spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./app.ts', import.meta.url))], {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_EC2_METADATA_DISABLED: 'true',
          CDK_OUTDIR: outdir,
          // No bundling: this is about the member template; the scanner's bundles are tested above.
          CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }),
        },
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        encoding: 'utf8',
        timeout: 60_000,
      });
    try {
      const without = run({});
      expect(without.status).not.toBe(0);
      expect(without.stderr).toContain('kubeposture:scannerAccountId is not set');

      const mismatch = run({ 'kubeposture:scannerAccountId': '444444444444', 'kubeposture:externalId': 'org-7f3a' });
      expect(mismatch.status).not.toBe(0);
      expect(mismatch.stderr).toContain('kubeposture:externalId (org-7f3a) must equal kubeposture.scan.aws.externalId');

      const withAccount = run({ 'kubeposture:scannerAccountId': '444444444444' });
      expect(withAccount.status, withAccount.stderr).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'KubepostureMemberReader.template.json'), 'utf8'));
      expect(template.Parameters?.BootstrapVersion).toBeUndefined();
      expect(template.Rules).toBeUndefined();
      expect(JSON.stringify(template)).toContain(':iam::444444444444:role/kubeposture-scan-target');
      expect(JSON.stringify(template)).not.toContain('arn:aws:');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 150_000); // three app processes, each loading the CDK
});

describe('keys, alarms and logs that work once deployed', () => {
  const t = main.template;
  const [keyId, key] = Object.entries(t.findResources('AWS::KMS::Key'))[0]!;
  const keyStatements = key.Properties.KeyPolicy.Statement as (Statement & {
    Principal?: { Service?: unknown };
    Condition?: Record<string, Record<string, unknown>>;
  })[];
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
  const logsPrincipal = { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] };
  const grantsInKeyPolicy = (principal: unknown, actions: string[]) =>
    keyStatements.filter(
      (s) =>
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal?.Service) === JSON.stringify(principal) &&
        actions.every((a) => asArray(s.Action).includes(a)),
    );
  const roleStatements = (roleRef: unknown) =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(roleRef)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[]);

  // Each encrypted resource, and who must use the key for it to work: a service principal through the key policy
  // (with a condition confining it to this account), or a role through its own policy.
  const needs: { resource: string; type: string; user: string; actions: string[] }[] = [
    {
      resource: 'alerts topic',
      type: 'AWS::SNS::Topic',
      user: 'cloudwatch.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    },
    {
      resource: 'every log group',
      type: 'AWS::Logs::LogGroup',
      user: 'logs.<region>.amazonaws.com',
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
    },
    {
      resource: 'schedule dead-letter queue',
      type: 'AWS::SQS::Queue',
      user: 'the schedule role',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    },
  ];

  it.each(needs)('lets $user use the key for the $resource', ({ type, user, actions }) => {
    const resources = Object.values(t.findResources(type));
    expect(resources.length).toBeGreaterThan(0);
    for (const r of resources) {
      expect(JSON.stringify(r.Properties.KmsMasterKeyId ?? r.Properties.KmsKeyId)).toBe(JSON.stringify(keyArn));
    }
    if (user === 'the schedule role') {
      const schedule = Object.values(t.findResources('AWS::Scheduler::Schedule'))[0]!;
      const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
      const grants = roleStatements({ Ref: roleId }).filter(
        (s) =>
          actions.every((a) => asArray(s.Action).includes(a)) && JSON.stringify(s.Resource) === JSON.stringify(keyArn),
      );
      expect(grants).toHaveLength(1);
      expect(JSON.stringify(grants[0]!.Condition)).toContain('kms:ViaService');
      return;
    }
    const principal = user === 'cloudwatch.amazonaws.com' ? user : logsPrincipal;
    const grants = grantsInKeyPolicy(principal, actions);
    expect(grants, `${user} in the key policy`).toHaveLength(1);
    const condition = JSON.stringify(grants[0]!.Condition);
    if (user === 'cloudwatch.amazonaws.com') {
      expect(condition).toContain('aws:SourceAccount');
      expect(condition).toContain(':alarm:*"');
    } else {
      expect(condition).toContain('kms:EncryptionContext:aws:logs:arn');
      expect(condition).toContain(':log-group:*');
    }
  });

  it('encrypts the log group of every function, the state machine and the API with the stack key', () => {
    const groups = t.findResources('AWS::Logs::LogGroup');
    const fnGroups = Object.values(t.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.LoggingConfig.LogGroup.Ref as string,
    );
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const smGroup =
      sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    for (const id of [...fnGroups, smGroup]) {
      expect(groups[id]?.Properties.KmsKeyId, id).toEqual(keyArn);
    }
    expect(Object.keys(groups)).toHaveLength(7);
  });

  it('lets CloudWatch alarms of this account, and no one else unnamed, publish to the alerts topic', () => {
    const policy = Object.values(t.findResources('AWS::SNS::TopicPolicy'))[0]!;
    const allow = (
      policy.Properties.PolicyDocument.Statement as (Statement & { Principal: unknown; Condition: unknown })[]
    ).filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({ Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } });
    expect(JSON.stringify(allow[0]!.Condition)).toContain('aws:SourceAccount');
  });
});

describe('guard rails', () => {
  it('throttles the API stage, and starting scans more tightly (IAM auth has no API keys to meter)', () => {
    main.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1scans',
          ThrottlingRateLimit: 1,
          ThrottlingBurstLimit: 2,
        }),
      ]),
    });
    main.template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
  });

  it('reserves scan-target concurrency: twice the map’s by default, or as configured', () => {
    const scanTarget = (t: Template) =>
      Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('ScanTarget'))![1];
    expect(scanTarget(main.template).Properties.ReservedConcurrentExecutions).toBe(50); // maxConcurrency 25
    const set = synth({ deployment: { limits: { scanTargetConcurrency: 120 } } }, { bundle: false });
    expect(scanTarget(set.template).Properties.ReservedConcurrentExecutions).toBe(120);
    for (const [id, fn] of Object.entries(main.template.findResources('AWS::Lambda::Function'))) {
      if (!id.startsWith('ScanTarget')) expect(fn.Properties.ReservedConcurrentExecutions, id).toBeUndefined();
    }
  });

  it('refuses, at synth, limits that are wrong, naming the key', () => {
    expect(() => parseDeploymentConfig({ map: { maxConcurrency: 40 }, limits: { scanTargetConcurrency: 10 } })).toThrow(
      /kubeposture\.limits\.scanTargetConcurrency: must be at least map\.maxConcurrency \(40\)/,
    );
    expect(() => parseDeploymentConfig({ limits: { apiBurst: 0 } })).toThrow(/kubeposture\.limits\.apiBurst/);
    expect(() => parseDeploymentConfig({ limits: { startScanRatePerSecond: 1000 } })).toThrow(
      /kubeposture\.limits\.startScanRatePerSecond/,
    );
  });
});

describe('Security Hub', () => {
  const importGrants = (t: Template) =>
    statementsOf(t).filter((s) => asArray(s.Action).some((a) => a.startsWith('securityhub:')));
  const finalizeEnv = (t: Template) =>
    Object.entries(t.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Finalize'))![1].Properties
      .Environment.Variables;

  it('is off by default: no grant, no setting', () => {
    expect(importGrants(main.template)).toEqual([]);
    expect(finalizeEnv(main.template)).not.toHaveProperty('KUBEPOSTURE_SECURITYHUB_ACCOUNT');
  });

  it('when enabled, lets finalize alone import into this account’s own product', () => {
    const { template } = synth({ deployment: { securityHub: { enabled: true } } }, { bundle: false });
    expect(importGrants(template)).toEqual([
      {
        Sid: 'ImportFindingsIntoSecurityHub',
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':securityhub:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':product/',
              { Ref: 'AWS::AccountId' },
              '/default',
            ],
          ],
        },
      },
    ]);
    expect(finalizeEnv(template).KUBEPOSTURE_SECURITYHUB_ACCOUNT).toEqual({ Ref: 'AWS::AccountId' });
    // Its record of the last complete import: one object of the results bucket.
    const record = statementsOf(template).filter((s) => JSON.stringify(s.Resource).includes(SECURITY_HUB_IMPORT_KEY));
    expect(record.map((s) => s.Action)).toEqual([['s3:GetObject', 's3:PutObject']]);
    expect(
      statementsOf(main.template).filter((s) => JSON.stringify(s.Resource).includes(SECURITY_HUB_IMPORT_KEY)),
    ).toEqual([]);
  });
});

describe('operations', () => {
  // The body is a Fn::Join of JSON text and references; resolve each reference to `<LogicalId>` and parse it.
  const dashboard = Object.values(main.template.findResources('AWS::CloudWatch::Dashboard'))[0]!;
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const body = JSON.parse(
    parts.map((p) => (typeof p === 'string' ? p : `<${(p as { Ref?: string }).Ref ?? 'token'}>`)).join(''),
  ) as { widgets: { properties: { title: string; metrics: unknown[][] } }[] };
  const metricsOf = (title: RegExp) =>
    body.widgets
      .filter((w) => title.test(w.properties.title))
      .flatMap((w) => w.properties.metrics.map((m) => m.filter((x) => typeof x === 'string').join(' ')));

  it('has a dashboard of scan duration, failed targets, new/regressed/resolved findings, by the names finalize emits', () => {
    const emitted = (name: string) => `kubeposture ${name} service kubeposture`;
    expect(metricsOf(/^Scan duration/)).toEqual([emitted(METRIC.scanDuration)]);
    expect(metricsOf(/^Targets failed/)).toEqual([emitted(METRIC.targetsFailed), emitted(METRIC.scanCollectionErrors)]);
    expect(metricsOf(/^Findings/)).toEqual(
      [METRIC.findingsNew, METRIC.findingsRegressed, METRIC.findingsResolved].map(emitted),
    );
  });

  it('shows Lambda errors and throttles of every function, and the workflow’s failures', () => {
    const fnIds = Object.keys(main.template.findResources('AWS::Lambda::Function'));
    expect(metricsOf(/^Lambda errors/)).toEqual(fnIds.map((id) => `AWS/Lambda Errors FunctionName <${id}>`));
    expect(metricsOf(/^Lambda throttles/)).toEqual(fnIds.map((id) => `AWS/Lambda Throttles FunctionName <${id}>`));
    const sm = Object.keys(main.template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    expect(metricsOf(/^Workflow/)).toEqual(
      expect.arrayContaining([
        `AWS/States ExecutionsFailed StateMachineArn <${sm}>`,
        `AWS/States ExecutionsTimedOut StateMachineArn <${sm}>`,
        `kubeposture ${METRIC.scansSkipped} service kubeposture`,
      ]),
    );
  });

  it('traces every function and the state machine', () => {
    for (const fn of Object.values(main.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    main.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
    });
  });
});
