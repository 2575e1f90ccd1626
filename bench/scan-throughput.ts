/**
 * Scan throughput against a generated simulated fleet with per-call latency.
 * Reports ratios within one run (machines here are shared and noisy): the speed-up of the
 * default concurrency over a serial scan, and evaluation cost relative to collection.
 *
 *   npm run bench -- [--accounts 4] [--regions 2] [--clusters 10] [--latency 15]
 */
import { parseArgs } from 'node:util';
import { checks } from '../checks/index.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { parseConfig } from '../core/config.ts';
import { evaluateSnapshots } from '../core/engine.ts';
import { runScan } from '../core/scan.ts';
import { parseFleetSpec, startSimulatedCloud } from '../sim/index.ts';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '4' },
    regions: { type: 'string', default: '2' },
    clusters: { type: 'string', default: '10' },
    latency: { type: 'string', default: '15' },
  },
});
const nAccounts = Number(values.accounts);
const nRegions = Number(values.regions);
const nClusters = Number(values.clusters);
const latencyMs = Number(values.latency);
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1', 'ca-central-1'];

const spec = parseFleetSpec({
  caller: { accountId: '999999999999' },
  accounts: Array.from({ length: nAccounts }, (_, a) => {
    const regions = REGIONS.slice(0, nRegions);
    return {
      id: String(100000000000 + a),
      enabledRegions: regions,
      clusters: regions.flatMap((region) =>
        Array.from({ length: nClusters }, (_, c) => ({
          name: `bench-${a}-${c}`,
          region,
          nodegroups: [{ nodegroupName: 'general' }],
          addons: [{ addonName: 'vpc-cni' }],
        })),
      ),
    };
  }),
});

const sim = await startSimulatedCloud(spec, { latencyMs });
const deps = { endpoint: sim.aws.endpoint, credentials: sim.callerCredentials, homeRegion: 'us-east-1' };
const accounts = spec.accounts.map((a) => ({ id: a.id }));

async function timeScan(targets: number, clustersPerTarget: number) {
  const config = parseConfig({
    aws: { accounts, regions: REGIONS.slice(0, nRegions) },
    concurrency: { targets, clustersPerTarget },
  });
  const t0 = performance.now();
  const report = await runScan({ collectors: [createAwsCollector(config, deps)], checks, config });
  const ms = performance.now() - t0;
  if (report.errors.length > 0) throw new Error(`bench scan had errors: ${JSON.stringify(report.errors)}`);
  return { ms, clusters: report.summary.clusters, findings: report.findings.length };
}

try {
  const total = nAccounts * nRegions * nClusters;
  console.log(
    `fleet: ${nAccounts} accounts × ${nRegions} regions × ${nClusters} clusters = ${total} clusters, ${latencyMs} ms per API call`,
  );
  await timeScan(2, 2); // warm-up: JIT, sockets
  const before = sim.count({ service: 'eks' });
  const serial = await timeScan(1, 1);
  const callsPerCluster = (sim.count({ service: 'eks' }) - before) / total;
  const defaults = parseConfig({}).concurrency;
  const parallel = await timeScan(defaults.targets, defaults.clustersPerTarget);

  // Evaluation alone, on snapshots collected once: how much of a scan is CPU in our checks.
  const config = parseConfig({ aws: { accounts, regions: REGIONS.slice(0, nRegions) } });
  const collector = createAwsCollector(config, deps);
  const plan = await collector.plan();
  const snapshots = (await Promise.all(plan.targets.map((t) => collector.collect(t)))).flatMap((c) => c.snapshots);
  const ctx = { now: new Date(), settings: config.checks };
  const rounds = 200;
  const e0 = performance.now();
  for (let i = 0; i < rounds; i++) evaluateSnapshots(snapshots, checks, ctx);
  const evalPerScanMs = (performance.now() - e0) / rounds;

  console.log(`EKS calls per cluster: ${callsPerCluster.toFixed(1)}`);
  console.log(`serial scan (1 target, 1 cluster at a time): ${serial.ms.toFixed(0)} ms`);
  console.log(
    `default concurrency (${defaults.targets} targets × ${defaults.clustersPerTarget} clusters): ${parallel.ms.toFixed(0)} ms`,
  );
  console.log(`speed-up of default concurrency over serial: ${(serial.ms / parallel.ms).toFixed(1)}×`);
  console.log(
    `evaluation share of a concurrent scan: ${((evalPerScanMs / parallel.ms) * 100).toFixed(2)}% (${evalPerScanMs.toFixed(2)} ms for ${snapshots.length} clusters × ${checks.length} checks)`,
  );
} finally {
  await sim.close();
}
