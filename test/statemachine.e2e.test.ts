/**
 * The scan workflow exactly as the stack defines it: the state machine definition is taken from the
 * synthesized ScannerStack template and run by an Amazon States Language engine (aws-local-stepfunctions,
 * see test/state-machine.ts for what it runs and the one part adapted: the Distributed Map's run).
 * Its Task states invoke the real plan, scan-target and finalize handlers with Lambda events and contexts,
 * each with its own role's credentials and the configuration and names the template gives it. S3 is the
 * simulator's (its REST API over HTTP, with each role's S3 statements from the template enforced),
 * DynamoDB is dynalite, the fleet is the simulated one, Slack a webhook receiver on loopback.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template as CdkTemplate } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checks } from '../checks/index.ts';
import { organizationsClient } from '../collectors/aws/clients.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { listOrganizationAccounts } from '../collectors/aws/organizations.ts';
import type { ScanReport } from '../core/report.ts';
import { newScanId } from '../core/scan.ts';
import type { Severity } from '../core/severity.ts';
import type { CollectorFactory } from '../functions/collectors.ts';
import { type FinalizeOutput, makeFinalizeHandler } from '../functions/finalize.ts';
import { s3ObjectStore } from '../functions/objects.ts';
import { makePlanHandler, type PlanOutput, type SkippedPlanOutput } from '../functions/plan.ts';
import { withMiddleware } from '../functions/powertools.ts';
import { lifecyclePublisher } from '../functions/publisher.ts';
import { createDynamoScanRuns, type ScanRun } from '../functions/scan-runs.ts';
import {
  configFromEnv,
  makeScanTargetHandler,
  type ScanTargetItem,
  type StoredTargetResult,
} from '../functions/scan-target.ts';
import { createSlackNotifier } from '../publish/sinks/slack.ts';
import { createDynamoStateStore } from '../publish/stores/dynamodb.ts';
import { createS3ReportStore, type LatestPointer } from '../publish/stores/s3.ts';
import { simS3 } from '../sim/aws/s3.ts';
import { simS3Client } from '../sim/clients.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { ScannerStack } from '../stacks/scanner-stack.ts';
import { type LocalDynamo, startLocalDynamo } from './local-dynamodb.ts';
import {
  type EngineDeps,
  type LambdaFunction,
  resolveIntrinsics,
  roleName,
  roleOf,
  runDefinition,
  s3StatementsOf,
  type Template,
} from './state-machine.ts';

const REGION = 'us-east-1';
const ACCOUNT = '999999999999'; // the sample fleet's caller: the security account the stack is deployed in
const BUCKET = 'kubeposture-results-test';
const TABLE = 'kubeposture-state-test';
/** A scan-target whose result write S3 refuses fails its child execution: one of nine is within 25 %. */
const FAILING_TARGET = { provider: 'aws', accountId: '222222222222', region: 'us-west-2' } as const;

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context;

/** The stack as an organization-wide deployment configures it; functions not bundled (their modules run here). */
function synthesize() {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new ScannerStack(app, 'Scanner', {
    deployment: {
      scan: { aws: { organization: { exclude: [ACCOUNT] } } },
      map: { maxConcurrency: 3, toleratedFailurePercentage: 25 },
      notifications: { slack: true, severityThreshold: 'high' },
    },
  });
  const template = CdkTemplate.fromStack(stack).toJSON() as Template;
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  return {
    template,
    ids: {
      plan: id(stack.plan),
      scanTarget: id(stack.scanTarget),
      finalize: id(stack.finalize),
      bucket: id(stack.bucket),
      table: id(stack.table),
      stateMachine: id(stack.workflow.stateMachine),
    },
  };
}

/** Local values for every logical id: names for the bucket and table, ARNs for the rest. */
function refsFor(template: Template, ids: ReturnType<typeof synthesize>['ids']): Record<string, string> {
  const refs: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    const arn = `arn:aws:local:${REGION}:${ACCOUNT}:${r.Type}/${id}`;
    refs[id] = arn;
    refs[`${id}.Arn`] = arn;
    if (r.Type === 'AWS::Lambda::Function') refs[`${id}.Arn`] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    if (r.Type === 'AWS::IAM::Role') refs[`${id}.Arn`] = `arn:aws:iam::${ACCOUNT}:role/${roleName(template, id)}`;
  }
  refs[ids.bucket] = BUCKET;
  refs[`${ids.bucket}.Arn`] = `arn:aws:s3:::${BUCKET}`;
  refs[ids.table] = TABLE;
  refs[ids.stateMachine] = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${ids.stateMachine}`;
  return refs;
}

interface Execution {
  trigger: string;
  plan: PlanOutput;
  map: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
  finalize: FinalizeOutput;
}

describe('the ScannerStack state machine, run by an ASL engine against S3, DynamoDB and the simulated fleet', () => {
  let cloud: SimulatedCloud;
  let dynamo: LocalDynamo;
  let slack: Server;
  let slackFetch: typeof fetch;
  const digests: { text: string; blocks: unknown[] }[] = [];
  let deps: EngineDeps;
  let definition: Parameters<typeof runDefinition>[0];
  let scheduleInput: unknown;
  let scanTargetRole: string;
  let planRole: string;
  const runs = () => createDynamoScanRuns({ client: dynamo.client, tableName: TABLE });
  const state = () => createDynamoStateStore({ client: dynamo.client, tableName: TABLE });
  const text = (key: string) => simS3(cloud.fleet).text(BUCKET, key);
  const json = <T>(key: string) => JSON.parse(text(key) ?? 'null') as T;
  const run = (input: unknown) =>
    runDefinition(definition, input, deps, { retryIntervalOverrides: { Plan: 0, ScanTarget: 0, Finalize: 0 } });

  beforeAll(async () => {
    const { template, ids } = synthesize();
    const refs = refsFor(template, ids);
    const machine = template.Resources[ids.stateMachine]!.Properties!;
    definition = JSON.parse(resolveIntrinsics(machine.DefinitionString, refs) as string);
    const schedule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Scheduler::Schedule')!;
    scheduleInput = JSON.parse((schedule.Properties!.Target as { Input: string }).Input);

    const spec = await loadSampleFleet();
    [cloud, dynamo] = await Promise.all([startSimulatedCloud(spec), startLocalDynamo()]);
    await dynamo.createStateTable(TABLE);
    await simS3Client(cloud).send(new CreateBucketCommand({ Bucket: BUCKET }));
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        digests.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    // The real webhook shape (the sink accepts only https on hooks.slack.com); the transport answers it on loopback.
    const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXX';
    const slackPort = (slack.address() as AddressInfo).port;
    slackFetch = (url, init) => fetch(`http://127.0.0.1:${slackPort}${new URL(String(url)).pathname}`, init);

    // Each function: its role's credentials, its role's S3 statements enforced, its environment from the template.
    const s3 = simS3(cloud.fleet);
    const asRole = (logicalId: string) => {
      const role = roleOf(template, logicalId);
      s3.attachPolicy(`arn:aws:iam::${ACCOUNT}:role/${role.roleName}`, s3StatementsOf(template, role.logicalId, refs));
      return {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${role.roleName}`,
        credentials: cloud.roleCredentials(role.roleName),
      };
    };
    const envOf = (logicalId: string) =>
      resolveIntrinsics(
        (template.Resources[logicalId]!.Properties!.Environment as { Variables: object }).Variables,
        refs,
      ) as Record<string, string>;
    const timeoutOf = (logicalId: string) => Number(template.Resources[logicalId]!.Properties!.Timeout ?? 3) * 1000;
    const clock = () => new Date();

    const lambda = (
      logicalId: string,
      build: (
        env: Record<string, string>,
        credentials: ReturnType<typeof asRole>['credentials'],
      ) => LambdaFunction['handler'],
    ): [string, LambdaFunction] => {
      const env = envOf(logicalId);
      expect(env).toMatchObject({ KUBEPOSTURE_BUCKET: BUCKET, KUBEPOSTURE_TABLE: TABLE });
      const { credentials, roleArn } = asRole(logicalId);
      if (logicalId === ids.scanTarget) scanTargetRole = roleArn;
      if (logicalId === ids.plan) planRole = roleArn;
      return [
        refs[`${logicalId}.Arn`]!,
        { name: logicalId, timeoutMs: timeoutOf(logicalId), handler: build(env, credentials) },
      ];
    };
    const collectorsAs =
      (credentials: ReturnType<typeof asRole>['credentials']): CollectorFactory =>
      (_provider, c) =>
        createAwsCollector(c, { endpoint: cloud.aws.endpoint, credentials, homeRegion: REGION });
    const objectsAs = (credentials: ReturnType<typeof asRole>['credentials']) =>
      s3ObjectStore(simS3Client(cloud, { credentials }), BUCKET);

    const lambdas = Object.fromEntries([
      lambda(ids.plan, (env, credentials) => {
        const config = configFromEnv(env);
        return withMiddleware(
          makePlanHandler({
            collectorFor: collectorsAs(credentials),
            config,
            organizationAccounts: (c) =>
              listOrganizationAccounts(
                organizationsClient(REGION, credentials, {
                  maxAttempts: c.aws.maxAttempts,
                  retryBaseDelayMs: c.aws.retryBaseDelayMs,
                  endpoint: cloud.aws.endpoint,
                }),
              ),
            objects: objectsAs(credentials),
            runs: runs(),
            clock,
          }),
        );
      }),
      lambda(ids.scanTarget, (env, credentials) =>
        withMiddleware(
          makeScanTargetHandler({
            collectorFor: collectorsAs(credentials),
            checks,
            config: configFromEnv(env),
            clock,
            objects: objectsAs(credentials),
          }),
        ),
      ),
      lambda(ids.finalize, (env, credentials) => {
        // As functions/publisher.ts wires it, with the Slack webhook read from a variable instead of Secrets Manager.
        expect(env.KUBEPOSTURE_SLACK_SECRET_ARN).toBeDefined();
        const objects = objectsAs(credentials);
        return withMiddleware(
          makeFinalizeHandler({
            objects,
            runs: runs(),
            publisher: lifecyclePublisher({
              state: state(),
              reports: createS3ReportStore({ client: simS3Client(cloud, { credentials }), bucket: BUCKET }),
              notifiers: [
                createSlackNotifier({
                  webhook: { env: 'SLACK_WEBHOOK_URL', vars: { SLACK_WEBHOOK_URL: slackUrl } },
                  fetch: slackFetch,
                  minSeverity: env.KUBEPOSTURE_ALERT_SEVERITY as Severity,
                }),
              ],
              objects,
              clock,
            }),
            clock,
          }),
        );
      }),
    ]);
    const machineRole = asRole(ids.stateMachine);
    deps = {
      lambdas,
      dynamodb: dynamo.client,
      s3: simS3Client(cloud, { credentials: machineRole.credentials }),
      stateMachineArn: refs[ids.stateMachine]!,
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([
      cloud?.close(),
      dynamo?.close(),
      slack && new Promise<void>((resolve) => slack.close(() => resolve())),
    ]);
  });

  beforeEach(() => {
    // The functions log JSON lines (and EMF metrics) to stdout; keep the test output readable.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    return () => vi.restoreAllMocks();
  });

  it('runs a scheduled scan twice: items, results and map results in S3, reconciled reports, latest pointer, state, Slack delta', async () => {
    // Prepare: S3 refuses one target's result write, as a bucket policy denying that key would.
    const resultKey = `scans/*/results/aws/${FAILING_TARGET.accountId}/${FAILING_TARGET.region}.json`;
    simS3(cloud.fleet).attachPolicy(scanTargetRole, [
      { Effect: 'Deny', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/${resultKey}` },
    ]);
    expect(scheduleInput).toEqual({ trigger: 'schedule' });

    // Act: the first scheduled scan
    const first = await run(scheduleInput);

    // Assess: the execution went Plan → ScanTargets → Finalize
    expect(first.error).toBeUndefined();
    const out1 = first.output as Execution;
    const id1 = out1.plan.scanId;
    expect(out1.finalize).toMatchObject({ scanId: id1, status: 'SUCCEEDED', missingResults: 1 });

    // The item list: every enabled region of the organization's accounts but the security account
    // (333… is listed but refuses AssumeRole: a planning error, not an item).
    const items = json<ScanTargetItem[]>(out1.plan.itemsKey);
    const targetsOf = (accountId: string) =>
      cloud.fleet.enabledRegions(accountId).map((region) => ({ provider: 'aws', accountId, region }));
    const expected = [
      ...targetsOf('111111111111'),
      ...targetsOf('222222222222'),
      ...targetsOf('444444444444'),
      ...targetsOf('150015001500'),
    ];
    expect(items.map((i) => i.target)).toEqual(expect.arrayContaining(expected));
    expect(items).toHaveLength(expected.length);
    expect(items.every((i) => i.scanId === id1)).toBe(true);

    // One result per target that succeeded; none for the one whose write S3 refused.
    const results = simS3(cloud.fleet).keys(BUCKET, `scans/${id1}/results/`);
    expect(results).toHaveLength(items.length - 1);
    for (const key of results) expect(json<StoredTargetResult>(key)).toMatchObject({ scanId: id1 });
    expect(results.some((k) => k.endsWith(`${FAILING_TARGET.accountId}/${FAILING_TARGET.region}.json`))).toBe(false);

    // The map results, written by the result writer: that child failed with S3's error, and was tolerated.
    expect(out1.map.ResultWriterDetails.Key).toMatch(/^map-results\/[\w-]+\/manifest\.json$/);
    const manifest = json<{ ResultFiles: Record<string, { Key: string }[]> }>(out1.map.ResultWriterDetails.Key);
    const failed = json<{ Error: string; Input: string }[]>(manifest.ResultFiles.FAILED![0]!.Key);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.Error).toBe('AccessDenied');
    expect(JSON.parse(failed[0]!.Input).target).toEqual(FAILING_TARGET);
    expect(json<unknown[]>(manifest.ResultFiles.SUCCEEDED![0]!.Key)).toHaveLength(items.length - 1);

    // The reconciled report: every failing finding new; the failed target and the denied account are
    // failed targets with errors, and nothing of theirs passes.
    const report1 = json<ScanReport>(out1.finalize.reportKey);
    const failing1 = report1.findings.filter((f) => f.status === 'FAIL');
    expect(failing1.length).toBeGreaterThan(0);
    expect(report1.delta).toMatchObject({ previousScanId: null, counts: { new: failing1.length, resolved: 0 } });
    expect(report1.targets).toContainEqual({ ...FAILING_TARGET, status: 'failed', clusters: 0 });
    expect(report1.errors).toContainEqual(expect.objectContaining({ ...FAILING_TARGET, stage: 'scan-target' }));
    expect(report1.errors).toContainEqual(expect.objectContaining({ accountId: '333333333333', code: 'AccessDenied' }));
    const unseen = (f: ScanReport['findings'][number]) =>
      f.accountId === '333333333333' ||
      (f.accountId === FAILING_TARGET.accountId && f.region === FAILING_TARGET.region);
    expect(report1.findings.filter(unseen)).toEqual([]);
    expect(text(`scans/${id1}/report.html`)).toContain('<!doctype html>');
    expect(json<LatestPointer>('latest/scan.json')).toMatchObject({ scanId: id1 });

    // DynamoDB: the run record and the finding state.
    expect(await runs().get(id1)).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'schedule',
      executionId: first.executionArn,
      targets: items.length,
      reportKey: out1.finalize.reportKey,
    });
    const stored1 = await state().load();
    expect(stored1.lastScan?.id).toBe(id1);
    expect(stored1.findings.filter((f) => f.status === 'open')).toHaveLength(failing1.length);

    // Slack: one digest, counting the new findings.
    expect(digests).toHaveLength(1);
    expect(digests[0]!.text).toContain(`${failing1.length} new`);

    // Prepare: between the scans, checkout-api's endpoint stops being open to the internet.
    const checkout = cloud.fleet.allClusters().find((c) => c.cluster.name === 'checkout-api')!;
    const fixedFindings = failing1.filter(
      (f) => f.clusterName === 'checkout-api' && f.checkId.startsWith('EKS.ENDPOINT.'),
    );
    expect(fixedFindings.length).toBeGreaterThan(0);
    checkout.cluster.resourcesVpcConfig = {
      ...checkout.cluster.resourcesVpcConfig,
      endpointPublicAccess: false,
      publicAccessCidrs: [],
    };

    // Act: the second scheduled scan
    const second = await run(scheduleInput);

    // Assess
    expect(second.error).toBeUndefined();
    const out2 = second.output as Execution;
    const id2 = out2.plan.scanId;
    expect(id2 > id1).toBe(true);
    const report2 = json<ScanReport>(out2.finalize.reportKey);
    const resolved = report2.delta?.resolved.map((f) => f.id) ?? [];
    expect(resolved).toEqual(expect.arrayContaining(fixedFindings.map((f) => f.id)));
    expect(report2.delta).toMatchObject({ previousScanId: id1, counts: { new: 0, regressed: 0 } });
    expect(json<LatestPointer>('latest/scan.json')).toMatchObject({ scanId: id2 });
    expect(await runs().get(id2)).toMatchObject({ status: 'SUCCEEDED', executionId: second.executionArn });
    const stored2 = await state().load();
    expect(stored2.lastScan?.id).toBe(id2);
    for (const id of fixedFindings.map((f) => f.id)) {
      expect(stored2.findings.find((f) => f.id === id)?.status).toBe('resolved');
    }
    expect(digests).toHaveLength(2);
    expect(digests[1]!.text).toContain('no new findings');
    expect(digests[1]!.text).toContain(`${resolved.length} resolved`);
  });

  it('fails the scan, and records it failed in DynamoDB, when more targets fail than the map tolerates', async () => {
    // Prepare: every result write of accounts 2222… and 1500… refused: 4 of 9 targets (44 % > 25 %; asserted below,
    // as the sample fleet grows).
    const failing = ['222222222222', '150015001500'];
    simS3(cloud.fleet).attachPolicy(
      scanTargetRole,
      failing.map((accountId) => ({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/scans/*/results/aws/${accountId}/*`,
      })),
    );
    const before = new Set(simS3(cloud.fleet).keys(BUCKET, 'scans/'));
    const latest = text('latest/scan.json');
    const posted = digests.length;

    // Act
    const failed = await run(scheduleInput);

    // Assess: the map's failure was caught, the run marked FAILED (with the error), the execution failed.
    expect(failed.error).toEqual({ name: 'ScanFailed', message: expect.any(String) });
    const plan = simS3(cloud.fleet)
      .keys(BUCKET, 'scans/')
      .find((k) => !before.has(k) && k.endsWith('/plan.json'))!;
    const scanId = plan.split('/')[1]!;
    const items = json<ScanTargetItem[]>(`scans/${scanId}/items.json`);
    const refused = items.filter((i) => failing.includes(i.target.accountId));
    expect(refused.length / items.length).toBeGreaterThan(0.25);
    expect(await runs().get(scanId)).toMatchObject({
      status: 'FAILED',
      failure: { error: 'States.ExceedToleratedFailureThreshold' },
    });
    expect(text(`scans/${scanId}/report.json`)).toBeUndefined();
    expect(text('latest/scan.json')).toBe(latest);
    expect(digests).toHaveLength(posted);
  });
  it('records an on-demand scan whose plan failed as FAILED, under the id the API gave it', async () => {
    // Prepare: the plan cannot write this scan's item list.
    const scanId = '20261203T090000Z-api001';
    simS3(cloud.fleet).attachPolicy(planRole, [
      { Effect: 'Deny', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/scans/${scanId}/*` },
    ]);

    // Act: as the API starts it
    const failed = await run({ scanId, trigger: 'api', filter: { accounts: ['111111111111'] } });

    // Assess: caught, and marked through the requested id (the plan produced none)
    expect(failed.error?.name).toBe('ScanFailed');
    expect(await runs().get(scanId)).toMatchObject({ status: 'FAILED', failure: { error: 'AccessDenied' } });
  });

  it('leaves no scheduled run RUNNING when its plan fails', async () => {
    // Prepare: the plan cannot write any item list.
    simS3(cloud.fleet).attachPolicy(planRole, [
      { Effect: 'Deny', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/scans/*` },
    ]);

    // Act
    const failed = await run(scheduleInput);

    // Assess: the execution failed, and every run record says how each scan ended.
    expect(failed.error?.name).toBe('ScanFailed');
    const { Items = [] } = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'RUN' } },
        ConsistentRead: true,
      }),
    );
    const statuses = Items.map((i) => i.status?.S);
    expect(statuses).not.toContain('RUNNING');
    const planFailures = Items.filter((i) => i.failure?.M?.state?.S === 'Plan');
    expect(planFailures).toHaveLength(1);
    expect(planFailures[0]).toMatchObject({
      status: { S: 'FAILED' },
      failure: { M: { error: { S: 'AccessDenied' } } },
    });
  });

  it('ends a scheduled scan successfully, scanning nothing, while an overlapping scan is RUNNING', async () => {
    // Prepare: an on-demand scan of one account, started a minute ago and still running.
    const startedAt = new Date(Date.now() - 60_000);
    const blocker: ScanRun = {
      scanId: newScanId(startedAt),
      status: 'RUNNING',
      trigger: 'api',
      filter: { accounts: ['111111111111'] },
      requestedAt: startedAt.toISOString(),
      startedAt: startedAt.toISOString(),
    };
    expect(await runs().create(blocker)).toBe(true);
    const before = simS3(cloud.fleet).keys(BUCKET, '');
    const latest = text('latest/scan.json');
    const posted = digests.length;

    // Act
    const skipped = await run(scheduleInput);

    // Assess: succeeded (no failed-execution alarm) through Skipped: no map, no finalize, nothing written to S3.
    expect(skipped.error).toBeUndefined();
    const out = skipped.output as { plan: SkippedPlanOutput };
    expect(out).toEqual({
      trigger: 'schedule',
      plan: { scanId: expect.any(String), trigger: 'schedule', skipped: { blockedBy: blocker.scanId } },
    });
    expect(simS3(cloud.fleet).keys(BUCKET, '')).toEqual(before);
    expect(text('latest/scan.json')).toBe(latest);
    expect(digests).toHaveLength(posted);
    expect(await runs().get(out.plan.scanId)).toMatchObject({
      status: 'SKIPPED',
      trigger: 'schedule',
      blockedBy: blocker.scanId,
      executionId: skipped.executionArn,
    });
    expect(await runs().get(blocker.scanId)).toEqual(blocker);
    await runs().update(blocker.scanId, { status: 'SUCCEEDED' });
  });
});
