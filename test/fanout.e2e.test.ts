/**
 * The serverless path, locally: plan → one scan-target invocation per item (as the Distributed
 * Map runs them: bounded concurrency, each item the event) → finalize, against the simulated
 * fleet, with the results bucket in the simulator's S3 (over its REST API) and an in-memory scan-run table.
 * The report must be the CLI's. The state machine itself, as the stack defines it, is run by
 * test/statemachine.e2e.test.ts.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checks } from '../checks/index.ts';
import { organizationsClient } from '../collectors/aws/clients.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { listOrganizationAccounts } from '../collectors/aws/organizations.ts';
import { createAzureCollector } from '../collectors/azure/index.ts';
import { createGcpCollector } from '../collectors/gcp/index.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import type { Finding } from '../core/finding.ts';
import type { ScanReport } from '../core/report.ts';
import type { Notifier, ReportStore } from '../core/state.ts';
import type { CollectorFactory } from '../functions/collectors.ts';
import { makeFinalizeHandler, reportOnlyPublisher, type ScanPublisher } from '../functions/finalize.ts';
import { type ObjectStore, s3ObjectStore, scanKeys } from '../functions/objects.ts';
import { makePlanHandler, type PlanDeps, type PlanOutput, type StoredPlan } from '../functions/plan.ts';
import { withMiddleware } from '../functions/powertools.ts';
import { lifecyclePublisher } from '../functions/publisher.ts';
import { memoryScanRuns } from '../functions/scan-runs.ts';
import { makeScanTargetHandler, type ScanTargetItem } from '../functions/scan-target.ts';
import { createLocalStateStore } from '../publish/stores/local.ts';
import { simAzureCredential, simGoogleAuthClient, simS3Client } from '../sim/clients.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { parseReport, runCli } from './helpers.ts';
import { aLambdaContext } from './lambda-context.ts';

const context = aLambdaContext('kubeposture-test', 300_000);

/**
 * A finding as both scans must agree on it. Instants in messages are blanked: the CLI runs its own simulated cloud,
 * whose relative times (a KMS version destroyed `now+9d`) resolve against its own clock. SCP evidence is not compared
 * either: scan workers never read SCPs (aws.serviceControlPolicies false) while the CLI does; no SCP of the sample
 * denies an action a path check asks about, so statuses and messages must still be equal.
 */
const comparable = (f: Finding) =>
  `${f.id} ${f.status} ${f.severity} ${f.message.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<instant>')}`;

describe('plan → scan-target × N → finalize against the sample fleet', () => {
  let cloud: SimulatedCloud;
  let config: ScanConfig;
  let collectorFor: CollectorFactory;
  let organizationAccounts: PlanDeps['organizationAccounts'];

  beforeAll(async () => {
    const spec = await loadSampleFleet();
    cloud = await startSimulatedCloud(spec, { suspendedAccounts: ['222222222222'] });
    collectorFor = (provider, c) => {
      if (provider === 'azure') {
        return createAzureCollector(c, {
          endpoint: cloud.azure!.endpoint,
          ca: cloud.azure!.ca,
          credential: simAzureCredential(),
        });
      }
      if (provider === 'gcp')
        return createGcpCollector(c, { endpoint: cloud.gcp!.endpoint, authClient: simGoogleAuthClient() });
      return createAwsCollector(c, {
        endpoint: cloud.aws.endpoint,
        credentials: cloud.callerCredentials,
        homeRegion: 'us-east-1',
      });
    };
    organizationAccounts = (c) =>
      listOrganizationAccounts(
        organizationsClient('us-east-1', cloud.callerCredentials, {
          maxAttempts: c.aws.maxAttempts,
          retryBaseDelayMs: c.aws.retryBaseDelayMs,
          endpoint: cloud.aws.endpoint,
        }),
      );
    // What a deployment configures: the organization (without the security account itself), and
    // the sample's Azure subscriptions and Google Cloud projects, as `--sample` does.
    config = parseConfig({
      aws: { roleName: spec.readerRoleName, organization: { exclude: [spec.caller.accountId] } },
      azure: { maxAttempts: 2, subscriptions: spec.azure?.subscriptions.map((s) => s.id) },
      gcp: { projects: spec.gcp?.projects.map((p) => p.id), organizationDomains: spec.gcp?.organizationDomains },
    });
  });
  afterAll(() => cloud?.close());

  /** A fresh results bucket in the simulated S3, so each run starts empty. */
  let buckets = 0;
  async function resultsBucket(): Promise<ObjectStore> {
    const s3 = simS3Client(cloud);
    const bucket = `fanout-results-${++buckets}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return s3ObjectStore(s3, bucket);
  }
  beforeEach(() => {
    // The functions log JSON lines (and EMF metrics) to stdout/stderr; keep the test output readable.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    return () => vi.restoreAllMocks();
  });

  /** The state machine, locally: the Distributed Map reads the item list and runs scan-target per item. */
  async function runWorkflow(
    c: ScanConfig,
    input: unknown,
    maxConcurrency = 4,
    publisherFor: (objects: ObjectStore) => ScanPublisher = reportOnlyPublisher,
  ) {
    const objects = await resultsBucket();
    const runs = memoryScanRuns();
    const clock = () => new Date();
    const plan = withMiddleware(
      makePlanHandler({ collectorFor, config: c, organizationAccounts, objects, runs, clock }),
    );
    const scanTarget = withMiddleware(makeScanTargetHandler({ collectorFor, checks, config: c, clock, objects }));
    const finalize = withMiddleware(makeFinalizeHandler({ objects, runs, publisher: publisherFor(objects), clock }));

    const planned = (await plan(input, context)) as PlanOutput; // nothing else is running: never skipped
    const items = JSON.parse((await objects.get(planned.itemsKey))!) as ScanTargetItem[];
    const limit = pLimit(maxConcurrency);
    const mapResults = await Promise.all(items.map((item) => limit(() => scanTarget(item, context))));
    const finalized = await finalize({ ...planned, map: { results: mapResults.length } }, context);
    const report = JSON.parse((await objects.get(finalized.reportKey))!) as ScanReport;
    return { planned, items, mapResults, finalized, report, objects, runs };
  }

  it('produces the same findings, targets and errors as the CLI scanning the same fleet', async () => {
    // Prepare: the organization has account 2222… suspended, so the CLI is told the same accounts.
    const cli = parseReport(
      await runCli([
        'scan',
        '--sample',
        '--format',
        'json',
        '--accounts',
        '111111111111,333333333333,444444444444,150015001500',
      ]),
    );

    // Act
    const { report, planned, mapResults, finalized, runs } = await runWorkflow(config, { trigger: 'schedule' });

    // Assess
    expect(planned.targets).toBe(mapResults.length);
    expect(mapResults.length).toBeGreaterThan(3);
    expect(report.findings.map(comparable)).toEqual(cli.findings.map(comparable));
    expect(report.targets).toEqual(cli.targets);
    expect(report.errors).toEqual(cli.errors);
    expect(report.summary).toEqual(cli.summary);
    expect(report.findings.filter((f) => f.accountId === '333333333333' && f.status === 'PASS')).toEqual([]);
    expect(await runs.get(planned.scanId)).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'schedule',
      targets: planned.targets,
      reportKey: finalized.reportKey,
      summary: { ...cli.summary, errors: cli.errors.length },
    });
  });

  it('reconciles each scheduled scan against stored state and alerts once per scan; a filtered scan changes nothing', async () => {
    // Prepare: one finding-state store and one report store across three runs, as in a deployment.
    const state = createLocalStateStore(await mkdtemp(join(tmpdir(), 'kubeposture-state-')));
    // As in production, the report store writes the reconciled report into the results bucket.
    const reportsIn = (objects: ObjectStore): ReportStore => ({
      async put(scanId, artifacts) {
        const keys: string[] = [];
        for (const a of artifacts) {
          keys.push(`scans/${scanId}/${a.name}`);
          await objects.put(`scans/${scanId}/${a.name}`, a.body);
        }
        return { keys, latest: 'latest/scan.json' };
      },
    });
    const alerts: ScanReport[] = [];
    const notifier: Notifier = { name: 'recording', notify: async (r) => void alerts.push(r) };
    const publisherFor = (objects: ObjectStore) =>
      lifecyclePublisher({
        state,
        reports: reportsIn(objects),
        notifiers: [notifier],
        objects,
        clock: () => new Date(),
      });
    const narrowed = parseConfig({ ...config, azure: undefined, gcp: undefined });

    // Act
    const first = await runWorkflow(narrowed, { trigger: 'schedule' }, 4, publisherFor);
    const second = await runWorkflow(narrowed, { trigger: 'schedule' }, 4, publisherFor);
    const before = await state.load();
    const filtered = await runWorkflow(
      narrowed,
      { trigger: 'api', filter: { accounts: ['111111111111'], regions: ['us-east-1'] } },
      4,
      publisherFor,
    );
    const afterFiltered = await state.load();
    const checkout = 'arn:aws:eks:us-east-1:111111111111:cluster/checkout-api';
    const rescan = await runWorkflow(narrowed, { trigger: 'api', filter: { clusters: [checkout] } }, 4, publisherFor);
    const after = await state.load();

    // Assess: the reconciled reports went to the report store, with their lifecycle.
    const firstReport = first.report;
    const secondReport = second.report;
    const failing = firstReport.findings.filter((f) => f.status === 'FAIL').length;
    expect(failing).toBeGreaterThan(0);
    expect(firstReport.delta?.counts).toMatchObject({ new: failing, resolved: 0 });
    expect(secondReport.delta).toMatchObject({ previousScanId: first.planned.scanId });
    expect(secondReport.delta?.counts).toMatchObject({ new: 0, regressed: 0, resolved: 0, persisting: failing });
    expect(await first.objects.get(`scans/${first.planned.scanId}/report.html`)).toContain('<!doctype html>');
    // The filtered scan saw part of the fleet: it is archived, but resolves nothing and alerts no one.
    expect(filtered.report.findings.every((f) => f.accountId === '111111111111' && f.region === 'us-east-1')).toBe(
      true,
    );
    expect(afterFiltered).toEqual(before);
    // The cluster scan is reconciled, scoped to its cluster: every other record is exactly as the full scan left it.
    expect(rescan.report.scan.clusters).toEqual([checkout]);
    expect(rescan.report.delta?.counts).toMatchObject({ new: 0, regressed: 0, resolved: 0, stale: 0 });
    const others = (xs: typeof before.findings) => xs.filter((f) => f.clusterId !== checkout);
    expect(others(after.findings)).toEqual(others(before.findings));
    const mine = after.findings.filter((f) => f.clusterId === checkout && f.status === 'open');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((f) => f.lastScanId === rescan.planned.scanId)).toBe(true);
    // One notification per reconciled scan; the filtered scan sent none.
    expect(alerts.map((r) => r.scan.id)).toEqual([first.planned.scanId, second.planned.scanId, rescan.planned.scanId]);
  });

  it('lists the organization once, from the plan, and never from a scan-target invocation', async () => {
    const before = cloud.count({ service: 'organizations' });
    await runWorkflow(config, { trigger: 'schedule' });
    expect(cloud.count({ service: 'organizations' }) - before).toBe(1);
  });

  it('skips suspended accounts and applies include and exclude lists', async () => {
    // Prepare
    const narrowed = parseConfig({
      ...config,
      azure: undefined,
      gcp: undefined,
      aws: { ...config.aws, regions: ['us-east-1'], organization: { include: ['111111111111', '222222222222'] } },
    });

    // Act
    const { items } = await runWorkflow(narrowed, {});

    // Assess
    expect(items.map((i) => `${i.target.accountId}/${i.target.region}`)).toEqual(['111111111111/us-east-1']);
  });

  it('scans the clusters an on-demand scan names, each by name, and refuses one outside the fleet', async () => {
    // Prepare
    const checkout = 'arn:aws:eks:us-east-1:111111111111:cluster/checkout-api';
    const gke = 'projects/shop-prod-4821/locations/europe-west1/clusters/storefront';
    const outside = 'arn:aws:eks:us-east-1:999999999999:cluster/elsewhere';
    const lists = () => cloud.count({ service: 'eks', action: 'ListClusters' });
    const listsBefore = lists();

    // Act
    const { items, report, runs, planned } = await runWorkflow(config, {
      scanId: '20260601T120000Z-abc123',
      trigger: 'api',
      filter: { clusters: [checkout, gke, outside] },
    });

    // Assess
    expect(items).toEqual([
      {
        scanId: '20260601T120000Z-abc123',
        target: { provider: 'aws', accountId: '111111111111', region: 'us-east-1' },
        cluster: checkout,
      },
      {
        scanId: '20260601T120000Z-abc123',
        target: { provider: 'gcp', accountId: 'shop-prod-4821', region: 'europe-west1' },
        cluster: gke,
      },
    ]);
    expect(lists()).toBe(listsBefore);
    expect(new Set(report.findings.map((f) => f.clusterName))).toEqual(new Set(['checkout-api', 'storefront']));
    expect(report.scan.clusters).toEqual([checkout, gke, outside]);
    expect(report.errors).toEqual([
      expect.objectContaining({ clusterId: outside, stage: 'plan', message: expect.stringContaining('999999999999') }),
    ]);
    expect(await runs.get(planned.scanId)).toMatchObject({ trigger: 'api', status: 'SUCCEEDED' });
  });

  it('reports a target whose scan-target failed for good as a failed target with an error, never as passing', async () => {
    // Prepare: plan, then drop one item's result as if its child execution failed after its retries.
    const objects = await resultsBucket();
    const runs = memoryScanRuns();
    const clock = () => new Date();
    const narrowed = parseConfig({ ...config, azure: undefined, gcp: undefined });
    const plan = withMiddleware(
      makePlanHandler({ collectorFor, config: narrowed, organizationAccounts, objects, runs, clock }),
    );
    const scanTarget = withMiddleware(
      makeScanTargetHandler({ collectorFor, checks, config: narrowed, clock, objects }),
    );
    const planned = (await plan({}, context)) as PlanOutput;
    const items = JSON.parse((await objects.get(planned.itemsKey))!) as ScanTargetItem[];
    const [lost, ...rest] = items;
    for (const item of rest) await scanTarget(item, context);

    // Act
    const out = await withMiddleware(
      makeFinalizeHandler({ objects, runs, publisher: reportOnlyPublisher(objects), clock }),
    )(planned, context);

    // Assess
    const report = JSON.parse((await objects.get(out.reportKey))!) as ScanReport;
    expect(out.missingResults).toBe(1);
    expect(report.errors).toContainEqual(expect.objectContaining({ ...lost!.target, stage: 'scan-target' }));
    expect(report.targets).toContainEqual({ ...lost!.target, status: 'failed', clusters: 0 });
    expect(
      report.findings.filter((f) => f.accountId === lost!.target.accountId && f.region === lost!.target.region),
    ).toEqual([]);
    const stored = JSON.parse((await objects.get(scanKeys.plan(planned.scanId)))!) as StoredPlan;
    expect(stored.targets).toHaveLength(items.length);
  });
});
