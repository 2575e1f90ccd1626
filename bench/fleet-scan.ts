/**
 * Organization-scale scan speed at DEFAULT settings against a rate-limited, latency-injected simulated cloud, next
 * to the lower bound no scanner could beat on the same fleet. See bench/README.md.
 *
 *   npm run bench:fleet                           # preset org400: 20 accounts × 4 regions × 5 clusters
 *   npm run bench:fleet -- --preset org2000       # 100 × 4 × 5 = 2,000 clusters
 *   npm run bench:fleet -- --accounts 8 --regions 2 --clusters 3 --latency 30 --rate 10 --burst 10
 *   npm run bench:fleet -- --targets 128 --clusters-per-target 5   # explicit concurrency instead of the defaults
 *
 * The simulated cloud runs in a child process (bench/fleet-sim-server.ts): its CPU is not the scanner's.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { checks } from '../checks/index.ts';
import { CollectionThreads, createThreadedCollector, threadsFor } from '../collectors/worker-pool.ts';
import { parseConfig } from '../core/config.ts';
import { evaluateSnapshots } from '../core/engine.ts';
import { runScan } from '../core/scan.ts';
import type { ClusterSnapshot } from '../core/snapshot.ts';
import type { Collector } from '../core/target.ts';
import type { SimOptions } from '../sim/index.ts';
import type { SimReply, SimRequest, SimStats } from './fleet-sim-server.ts';

const PRESETS: Record<string, { accounts: number; regions: number; clusters: number }> = {
  small: { accounts: 4, regions: 2, clusters: 5 },
  org400: { accounts: 20, regions: 4, clusters: 5 },
  org2000: { accounts: 100, regions: 4, clusters: 5 },
};

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'org400' },
    accounts: { type: 'string' },
    regions: { type: 'string' },
    clusters: { type: 'string' },
    latency: { type: 'string', default: '30' },
    rate: { type: 'string', default: '10' },
    burst: { type: 'string', default: '10' },
    'throttle-services': { type: 'string', default: 'eks,iam' },
    targets: { type: 'string' },
    'clusters-per-target': { type: 'string' },
    /** Collection threads (`concurrency.threads`): a number, or auto (the default). */
    threads: { type: 'string' },
    /** Collection threads start within the measured scan, as in a CLI run (default: warmed up with the scanner). */
    'cold-threads': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    /** Writes a CPU profile of the measured scan only (not the start, warm-up or module loading) to this file. */
    profile: { type: 'string' },
  },
});
const preset = PRESETS[values.preset];
if (!preset) throw new Error(`--preset: one of ${Object.keys(PRESETS).join(', ')}`);
const nAccounts = Number(values.accounts ?? preset.accounts);
const nRegions = Number(values.regions ?? preset.regions);
const nClusters = Number(values.clusters ?? preset.clusters);
const latencyMs = Number(values.latency);
const rate = Number(values.rate);
const burst = Number(values.burst);
const services = values['throttle-services'].split(',').filter(Boolean);
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1', 'ca-central-1'];
if (nRegions > REGIONS.length) throw new Error(`--regions: at most ${REGIONS.length}`);
const regions = REGIONS.slice(0, nRegions);

/**
 * The longest chain of calls where each needs the answer of the one before, for the generated cluster shape (a
 * node group on a launch template with a custom AMI, an add-on, access entries): AssumeRole → ListClusters →
 * ListNodegroups → DescribeNodegroup → DescribeLaunchTemplateVersions → DescribeImages (the access chain
 * DescribeCluster → ListAccessEntries → DescribeAccessEntry → ListAssociatedAccessPolicies is as long).
 * No scanner can finish before this many round trips.
 */
const CHAIN_DEPTH = 6;

const amiOf = (region: string) => `ami-0${(REGIONS.indexOf(region) + 1).toString(16).padStart(16, 'a')}`;

function account(id: string, accountRegions: string[], clustersPerRegion: number) {
  return {
    id,
    enabledRegions: accountRegions,
    images: accountRegions.map((region) => ({
      imageId: amiOf(region),
      region,
      name: `bench-node-${region}`,
      creationDate: 'now-20d',
    })),
    clusters: accountRegions.flatMap((region) =>
      Array.from({ length: clustersPerRegion }, (_, c) => ({
        name: `bench-${region}-${c}`,
        region,
        launchTemplates: [{ launchTemplateName: 'nodes', imageId: amiOf(region) }],
        nodegroups: [{ nodegroupName: 'general', launchTemplate: { name: 'nodes' } }],
        addons: [{ addonName: 'vpc-cni' }],
      })),
    ),
  };
}

// Extra accounts warm the scanner up (JIT, module loading, and the collection threads the measured scan will use);
// they have their own buckets, so the measured accounts start with full ones.
const WARMUP_ACCOUNTS = ['900000000000', '900000000001', '900000000002', '900000000003'];
const accountIds = Array.from({ length: nAccounts }, (_, a) => String(100000000000 + a));
const spec = {
  caller: { accountId: '999999999999' },
  accounts: [
    ...WARMUP_ACCOUNTS.map((id) => account(id, REGIONS.slice(0, 4), 1)),
    ...accountIds.map((id) => account(id, regions, nClusters)),
  ],
};
const simOptions: SimOptions = { latencyMs, throttle: { ratePerSecond: rate, burst, services } };

/** The simulated cloud in a child process, answering one request at a time. */
class SimProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<{ sim: SimProcess; endpoint: string; credentials: SimReplyReady['credentials'] }> {
    // Without the parent's profiler flags: the profile is the scanner's.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof'));
    // The simulator's own profile, on request (its CPU per call is printed: this says where it goes).
    if (process.env.SIM_CPU_PROF_DIR) execArgv.push('--cpu-prof', `--cpu-prof-dir=${process.env.SIM_CPU_PROF_DIR}`);
    const child = fork(new URL('./fleet-sim-server.ts', import.meta.url), { execArgv });
    const sim = new SimProcess(child);
    const ready = (await sim.ask({ type: 'start', spec, options: simOptions })) as SimReplyReady;
    return { sim, endpoint: ready.endpoint, credentials: ready.credentials };
  }

  ask(m: SimRequest): Promise<SimReply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`simulated cloud exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (r: SimReply) => {
        this.child.off('exit', onExit);
        if (r.type === 'error') reject(new Error(`simulated cloud: ${r.message}`));
        else resolve(r);
      });
      this.child.send(m);
    });
  }

  async stats(): Promise<SimStats> {
    return ((await this.ask({ type: 'stats' })) as Extract<SimReply, { type: 'stats' }>).stats;
  }

  close(): void {
    this.child.send({ type: 'close' } satisfies SimRequest);
    this.child.disconnect();
  }
}
type SimReplyReady = Extract<SimReply, { type: 'ready' }>;

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** One set of collection threads for the warm-up and the measured scan, as the main thread is warmed up too. */
const collectionThreads = new CollectionThreads();
const started = performance.now();
const { sim, endpoint, credentials } = await SimProcess.start();
const simStartMs = performance.now() - started;
try {
  const deps = { endpoint, credentials, homeRegion: 'us-east-1' };
  const explicit = {
    ...(values.targets ? { targets: Number(values.targets) } : {}),
    ...(values['clusters-per-target'] ? { clustersPerTarget: Number(values['clusters-per-target']) } : {}),
    ...(values.threads ? { threads: values.threads === 'auto' ? 'auto' : Number(values.threads) } : {}),
  };
  const configFor = (ids: string[], scanRegions: string[]) =>
    parseConfig({
      aws: { accounts: ids.map((id) => ({ id })), regions: scanRegions },
      ...(Object.keys(explicit).length ? { concurrency: explicit } : {}),
    });

  /** A scan through runScan (the CLI's path), keeping the snapshots to price evaluation separately. */
  async function scan(
    ids: string[],
    scanRegions: string[],
    pool: CollectionThreads | undefined,
    /** Threads for this scan instead of the configured ones (the warm-up uses as many as the measured scan will). */
    threads?: number,
  ) {
    const config = configFor(ids, scanRegions);
    const aws = createThreadedCollector('aws', config, { aws: deps }, threads ?? config.concurrency.threads, pool);
    const snapshots: ClusterSnapshot[] = [];
    const collector: Collector = {
      provider: aws.provider,
      plan: () => aws.plan(),
      collect: async (t, o) => {
        const c = await aws.collect(t, o);
        snapshots.push(...c.snapshots);
        return c;
      },
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await runScan({ collectors: [collector], checks, config });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const used = aws.threads();
    await aws.close();
    return { config, report, snapshots, ms, cpuMs: (cpu.user + cpu.system) / 1000, threads: used };
  }

  // The threads the measured scan will have, warmed up by this scan unless --cold-threads.
  const measuredThreads = threadsFor(configFor(accountIds, regions).concurrency.threads, {
    targets: accountIds.length * regions.length,
    accounts: accountIds.length,
  });
  if (values['cold-threads']) await scan(WARMUP_ACCOUNTS, REGIONS.slice(0, 4), undefined, 0);
  else await scan(WARMUP_ACCOUNTS, REGIONS.slice(0, 4), collectionThreads, measuredThreads);
  const loadBefore = loadavg()[0]!;
  await sim.ask({ type: 'mark' });
  const profiler = values.profile ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const run = await scan(accountIds, regions, values['cold-threads'] ? undefined : collectionThreads);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(values.profile!, JSON.stringify(profile));
    profiler.disconnect();
  }
  const stats = await sim.stats();
  const loadAfter = loadavg()[0]!;

  // Evaluation alone on the same snapshots: the CPU of checks, to separate from collection's.
  const e0 = process.cpuUsage();
  evaluateSnapshots(run.snapshots, checks, { now: new Date(), settings: run.config.checks });
  const e = process.cpuUsage(e0);
  const evalCpuMs = (e.user + e.system) / 1000;

  // The lower bound. Rate: a bucket of `burst` tokens refilled at `rate`/s answers its n-th call no earlier than
  // (n − burst)/rate s after its first, whatever the client does; n is what the scan needed (answers not throttled).
  const buckets = Object.entries(stats.bucketCalls).sort((a, b) => b[1] - a[1]);
  const [busiest, busiestCalls] = buckets[0] ?? ['(none)', 0];
  const rateBoundMs = (Math.max(0, busiestCalls - burst) / rate) * 1000;
  const chainBoundMs = CHAIN_DEPTH * latencyMs;
  const boundMs = Math.max(rateBoundMs, chainBoundMs);

  const clusters = run.report.summary.clusters;
  const gaps = run.snapshots.reduce((n, s) => n + s.gaps.length, 0);
  const gapCounts = new Map<string, number>();
  for (const g of run.snapshots.flatMap((s) => s.gaps)) {
    const k = `${g.need} ${g.code}`;
    gapCounts.set(k, (gapCounts.get(k) ?? 0) + 1);
  }
  const gapCodes = [...gapCounts].map(([k, n]) => `${k} ×${n}`);
  const { concurrency } = run.config;
  const label = Object.keys(explicit).length ? 'explicit' : 'default';
  const collectCpuMs = run.cpuMs - evalCpuMs;

  const rows: [string, string][] = [
    ['fleet', `${nAccounts} accounts × ${nRegions} regions × ${nClusters} clusters = ${clusters} clusters scanned`],
    [
      'simulated cloud',
      `${latencyMs} ms per call; ${services.join(', ')} limited to ${rate}/s, burst ${burst}, per account+region+service (IAM signs in us-east-1: one bucket per account)`,
    ],
    ['machine', `${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`],
    [
      'lower bound: rate',
      `${fmt(rateBoundMs)} = (${busiestCalls} calls − ${burst} burst) / ${rate}/s in the busiest bucket (${busiest}; ${buckets.length} buckets)`,
    ],
    ['lower bound: call chain', `${fmt(chainBoundMs)} = ${CHAIN_DEPTH} dependent calls × ${latencyMs} ms`],
    ['LOWER BOUND', `${fmt(boundMs)} (the larger of the two)`],
    [
      `scan, ${label} concurrency`,
      `${fmt(run.ms)} (targets ${concurrency.targets}, clustersPerTarget ${concurrency.clustersPerTarget}, threads ${concurrency.threads}: ${run.threads || 'in-process'})`,
    ],
    ['RATIO scan / bound', `${(run.ms / boundMs).toFixed(2)}×`],
    [
      'API calls',
      `${stats.calls} (${stats.awsCalls} AWS, ${stats.byService.k8s?.calls ?? 0} Kubernetes API); ${(stats.calls / clusters).toFixed(1)} per cluster`,
    ],
    [
      'calls per cluster by action',
      Object.entries(stats.byAction)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${(n / clusters).toFixed(2)}`)
        .join(', '),
    ],
    [
      'throttled answers',
      `${stats.throttled} (${((stats.throttled / Math.max(1, stats.awsCalls)) * 100).toFixed(1)}% of AWS calls)${Object.entries(
        stats.byService,
      )
        .filter(([, s]) => s.throttled > 0)
        .map(([k, s]) => ` ${k} ${s.throttled}`)
        .join(',')}`,
    ],
    [
      'AWS calls per TCP connection',
      `${(stats.awsCalls / Math.max(1, stats.connections)).toFixed(1)} (${stats.connections} connections)`,
    ],
    [
      'CPU per API call',
      `${(run.cpuMs / stats.calls).toFixed(3)} ms (scanner process: ${fmt(run.cpuMs)} CPU, ${((run.cpuMs / run.ms) * 100).toFixed(0)}% of one core)`,
    ],
    [
      'collection CPU per API call',
      `${(collectCpuMs / stats.calls).toFixed(3)} ms (less evaluation: ${fmt(evalCpuMs)} for ${run.snapshots.length} snapshots)`,
    ],
    [
      'simulator CPU per API call',
      `${(stats.cpuMs / stats.calls).toFixed(3)} ms (simulator process: ${fmt(stats.cpuMs)} CPU over the scan)`,
    ],
    [
      'machine CPU floor',
      `${fmt((run.cpuMs + stats.cpuMs) / availableParallelism())} = (scanner + simulator CPU) / ${availableParallelism()} cores: the scan cannot be shorter on this machine at this CPU per call`,
    ],
    [
      'errors / gaps',
      `${run.report.errors.length} target errors, ${gaps} gaps${gapCodes.length ? ` (${gapCodes.join(', ')})` : ''}`,
    ],
    ['sim start', fmt(simStartMs)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  if (values.json) {
    console.log(
      JSON.stringify({
        clusters,
        boundMs,
        rateBoundMs,
        chainBoundMs,
        scanMs: run.ms,
        ratio: run.ms / boundMs,
        calls: stats.calls,
        throttled: stats.throttled,
        connections: stats.connections,
        cpuPerCallMs: run.cpuMs / stats.calls,
        collectCpuPerCallMs: collectCpuMs / stats.calls,
        simCpuPerCallMs: stats.cpuMs / stats.calls,
        concurrency,
        errors: run.report.errors.length,
        gaps,
      }),
    );
  }
  if (run.report.errors.length > 0 || gaps > 0) {
    console.log('WARNING: the scan is incomplete; its time does not count.');
    for (const e of run.report.errors.slice(0, 5)) console.log(`  ${e.accountId}/${e.region} ${e.stage}: ${e.message}`);
    process.exitCode = 1;
  }
} finally {
  await collectionThreads.close();
  sim.close();
}
