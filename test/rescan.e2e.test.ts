/**
 * Issue 14's acceptance: an `UpdateClusterConfig` CloudTrail event (as EventBridge delivers it, through SQS) that opens
 * payments-prod's endpoint to 0.0.0.0/0 reaches the rescan handler, which scans that one cluster on the simulated fleet
 * with the real AWS collector, reconciles it against DynamoDB (dynalite) and alerts: one new finding, one alert, and no
 * other stored finding changes.
 */
import { readdirSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { awsEventScope } from '../core/cluster-events.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import { finalizeScan } from '../core/finalize.ts';
import type { ScanReport } from '../core/report.ts';
import { runScan } from '../core/scan.ts';
import type { FindingStateStore, Notifier } from '../core/state.ts';
import { clusterRescanner, makeRescanHandler } from '../functions/rescan.ts';
import { createDynamoStateStore } from '../publish/stores/dynamodb.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import type { FleetSpec } from '../sim/spec.ts';
import { cloudTrailFixture } from './cloudtrail.ts';
import { type LocalDynamo, startLocalDynamo } from './local-dynamodb.ts';

const ACCOUNT = '111111111111';
const ARN = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/payments-prod`;
const TABLE = 'kubeposture-state-rescan';

/** The sample fleet with payments-prod's public endpoint set as given (the rest as in sample.yaml). */
async function fleetWith(publicAccessCidrs: string[]): Promise<FleetSpec> {
  const spec = await loadSampleFleet();
  for (const a of spec.accounts)
    for (const c of a.clusters as { name: string; resourcesVpcConfig?: Record<string, unknown> }[])
      if (a.id === ACCOUNT && c.name === 'payments-prod')
        c.resourcesVpcConfig = { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs };
  return spec;
}

function sqs(...events: Record<string, unknown>[]): SQSEvent {
  return {
    Records: events.map((e, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body: JSON.stringify(e),
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:999999999999:kubeposture-rescan',
      awsRegion: 'us-east-1',
    })),
  };
}

describe('an EKS change event rescans just that cluster (CloudTrail → SQS → rescan → DynamoDB, alerts)', () => {
  let dynamo: LocalDynamo;
  let state: FindingStateStore;
  let cloud: SimulatedCloud | undefined;
  const alerts: ScanReport[] = [];
  const config: ScanConfig = parseConfig({
    aws: { roleName: 'KubepostureReader', accounts: [{ id: ACCOUNT }], regions: ['us-east-1', 'eu-west-1'] },
  });
  const collector = (c: SimulatedCloud) =>
    createAwsCollector(config, { endpoint: c.aws.endpoint, credentials: c.callerCredentials, homeRegion: 'us-east-1' });

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await dynamo.createStateTable(TABLE);
    state = createDynamoStateStore({ client: dynamo.client, tableName: TABLE });
  });
  afterAll(async () => {
    await cloud?.close();
    await dynamo?.close();
  });

  it('an UpdateClusterConfig that opens the endpoint to 0.0.0.0/0: one new finding, one alert, nothing else', async () => {
    // Before: a full scan of the account, its endpoint public but allow-listed (EKS.ENDPOINT.2 already FAILs).
    cloud = await startSimulatedCloud(await fleetWith(['203.0.113.0/24']));
    const baseline = await runScan({ collectors: [collector(cloud)], checks, config });
    expect(baseline.errors).toEqual([]);
    await finalizeScan(baseline, { state, now: new Date() });
    const before = (await state.load()).findings;
    expect(before.some((f) => f.clusterId === ARN && f.checkId === 'EKS.ENDPOINT.2' && f.status === 'open')).toBe(true);
    expect(before.some((f) => f.clusterId === ARN && f.checkId === 'EKS.ENDPOINT.1')).toBe(false);
    await cloud.close();

    // The change, then its event.
    cloud = await startSimulatedCloud(await fleetWith(['0.0.0.0/0']));
    const sim = cloud;
    alerts.length = 0;
    const notifier: Notifier = {
      name: 'recording',
      async notify(report) {
        alerts.push(report);
      },
    };
    const handler = makeRescanHandler({
      scanClusters: clusterRescanner(() => ({
        collectors: [collector(sim)],
        checks,
        config,
        state,
        notifiers: [notifier],
      })),
      async scanAccounts() {
        throw new Error('an EKS event must not start an account scan');
      },
      scope: awsEventScope(config),
    });
    const result = await handler(sqs(cloudTrailFixture('UpdateClusterConfig')));
    expect(result.batchItemFailures).toEqual([]);

    // Only payments-prod was read: DescribeCluster by name, no ListClusters.
    const eksCalls = sim.calls.filter((c) => c.service === 'eks');
    expect(eksCalls.some((c) => c.action === 'ListClusters')).toBe(false);
    expect(eksCalls.filter((c) => c.action === 'DescribeCluster').length).toBe(1);

    expect(alerts).toHaveLength(1);
    const alerted = alerts[0]!;
    const opened = alerted.findings.filter((f) => f.lifecycle?.state === 'new' || f.lifecycle?.state === 'regressed');
    expect(opened.map((f) => [f.clusterId, f.checkId, f.lifecycle?.state])).toEqual([[ARN, 'EKS.ENDPOINT.1', 'new']]);
    expect(alerted.delta?.counts).toMatchObject({ new: 1, regressed: 0, resolved: 0, stale: 0 });
    // Only payments-prod's results: the report is scoped to the one cluster.
    expect(new Set(alerted.findings.map((f) => f.clusterId))).toEqual(new Set([ARN]));

    // Every other stored finding is exactly as the full scan left it.
    const after = (await state.load()).findings;
    const untouched = (fs: typeof before) => fs.filter((f) => f.clusterId !== ARN);
    expect(untouched(after)).toEqual(untouched(before));
    expect(after.filter((f) => f.clusterId === ARN && f.status === 'open').map((f) => f.checkId)).toEqual(
      expect.arrayContaining(['EKS.ENDPOINT.1', 'EKS.ENDPOINT.2']),
    );
  }, 60_000);

  const EKS_EVENTS = readdirSync(new URL('./data/cloudtrail/', import.meta.url))
    .map((f) => f.replace(/\.json$/, ''))
    .filter((n) => n !== 'UpdateAssumeRolePolicy' && n !== 'UpdateClusterConfig');

  it.each(EKS_EVENTS)(
    '%s rescans only the cluster it names; with nothing changed, nothing opens or resolves elsewhere',
    async (name) => {
      const sim = cloud!;
      const event = cloudTrailFixture(name);
      const detail = event.detail as { awsRegion: string; requestParameters: { name: string } };
      const arn = `arn:aws:eks:${detail.awsRegion}:${ACCOUNT}:cluster/${detail.requestParameters.name}`;
      const before = (await state.load()).findings;
      alerts.length = 0;
      const scanned: string[][] = [];
      const rescan = clusterRescanner(() => ({ collectors: [collector(sim)], checks, config, state, notifiers: [] }));
      const handler = makeRescanHandler({
        async scanClusters(refs) {
          scanned.push(refs.map((r) => r.id));
          return rescan(refs);
        },
        async scanAccounts() {
          throw new Error('an EKS event must not start an account scan');
        },
        scope: awsEventScope(config),
      });
      expect((await handler(sqs(event))).batchItemFailures).toEqual([]);
      expect(scanned).toEqual([[arn]]);
      const after = (await state.load()).findings;
      const others = (fs: typeof before) => fs.filter((f) => f.clusterId !== arn);
      expect(others(after)).toEqual(others(before));
      // The named cluster's own findings: re-judged, still open where they were (the fleet did not change).
      const openIds = (fs: typeof before) =>
        fs.filter((f) => f.clusterId === arn && f.status === 'open').map((f) => f.id);
      expect(openIds(after).sort()).toEqual(openIds(before).sort());
    },
  );
});
