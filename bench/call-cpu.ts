/**
 * CPU per AWS API call, A/B in one process (issue #11): the scanner's client setup at a baseline commit (A: its
 * collectors/aws/clients.ts, deadline.ts and rate-limit.ts) against the working tree's (B), alternated round by round
 * against the simulated cloud in a child process (bench/fleet-sim-server.ts), so the load of a shared machine hits
 * both alike. See bench/README.md.
 *
 *   npm run bench:calls                              # 12 rounds of 2,000 calls, 16 in flight, fresh clients per target
 *   npm run bench:calls -- --reuse                   # clients built once and reused: the per-call cost alone
 *   npm run bench:calls -- --baseline f2cdad4 --rounds 20 --calls 3000 --in-flight 16
 *
 * A round is a mix as a scan makes it, per simulated target (an account and region): STS AssumeRole (awsQuery XML),
 * EKS ListClusters, then per cluster DescribeCluster, ListNodegroups, DescribeNodegroup, ListAddons (restJson) and
 * two EC2 DescribeInstances (ec2Query XML), and IAM ListRoles (awsQuery XML): about 10 calls per client, as in
 * `bench:fleet`. Each target builds its clients as collectors/aws/index.ts does (EKS and EC2 bound to a target
 * deadline, IAM without, each paced by its key's limiter; one STS client per round) unless `--reuse`.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  ListAddonsCommand,
  ListClustersCommand,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentity } from '@smithy/types';
import { assumeRoleOnce } from '../collectors/aws/credentials.ts';
import { Deadline } from '../core/deadline.ts';
import type { SimReply, SimRequest } from './fleet-sim-server.ts';

const { values } = parseArgs({
  options: {
    /** The commit whose client setup is A (default: the one before issue #11's client trimming). */
    baseline: { type: 'string', default: 'f2cdad4' },
    rounds: { type: 'string', default: '12' },
    calls: { type: 'string', default: '2000' },
    'in-flight': { type: 'string', default: '16' },
    clusters: { type: 'string', default: '5' },
    latency: { type: 'string', default: '2' },
    reuse: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    /** Writes a CPU profile of B's measured rounds only to this file. */
    profile: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const callsPerRound = Number(values.calls);
const inFlight = Number(values['in-flight']);
const nClusters = Number(values.clusters);
const latencyMs = Number(values.latency);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GLUE = [
  'collectors/aws/clients.ts',
  'collectors/aws/deadline.ts',
  'collectors/aws/rate-limit.ts',
  // Not at every baseline (new with the trimming): copied when the baseline has it.
  'collectors/aws/lean-middleware.ts',
];

/**
 * The baseline's glue files, copied beside the bench (so packages resolve from this checkout's node_modules), with
 * relative imports of anything else pointing back into this checkout: only the client setup differs between A and B.
 */
function extractBaseline(ref: string): string {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(ROOT, 'bench', `.call-cpu-baseline-${sha}`);
  const present = execFileSync('git', ['ls-tree', '-r', '--name-only', sha, '--', ...GLUE], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  for (const file of present) {
    const source = execFileSync('git', ['show', `${sha}:${file}`], { cwd: ROOT, encoding: 'utf8' });
    const rewritten = source.replace(/(from\s+')(\.{1,2}\/[^']+)(')/g, (all, head: string, spec: string, tail) => {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      if (present.includes(target)) return all;
      let back = relative(join(dir, dirname(file)), join(ROOT, target));
      if (!back.startsWith('.')) back = `./${back}`;
      return `${head}${back}${tail}`;
    });
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), rewritten);
  }
  return dir;
}

type ClientsModule = typeof import('../collectors/aws/clients.ts');
type DeadlineModule = typeof import('../collectors/aws/deadline.ts');
type RateLimitModule = typeof import('../collectors/aws/rate-limit.ts');
interface Setup {
  name: string;
  clients: ClientsModule;
  deadline: DeadlineModule;
  rateLimit: RateLimitModule;
}

/** A setup's glue; a module its commit does not have (older baselines had no rate-limit.ts) is this tree's. */
async function loadSetup(name: string, dir: string): Promise<Setup> {
  const url = (f: string) => new URL(`file://${join(existsSync(join(dir, f)) ? dir : ROOT, f)}`).href;
  return {
    name,
    clients: await import(url(GLUE[0]!)),
    deadline: await import(url(GLUE[1]!)),
    rateLimit: await import(url(GLUE[2]!)),
  };
}

const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];
const ACCOUNTS = Array.from({ length: 8 }, (_, a) => String(100000000000 + a));
const spec = {
  caller: { accountId: '999999999999' },
  accounts: ACCOUNTS.map((id) => ({
    id,
    enabledRegions: REGIONS,
    clusters: REGIONS.flatMap((region) =>
      Array.from({ length: nClusters }, (_, c) => ({
        name: `bench-${region}-${c}`,
        region,
        nodegroups: [{ nodegroupName: 'general' }],
      })),
    ),
  })),
};

/** The simulated cloud in a child process (its CPU is not the scanner's). */
const child = fork(new URL('./fleet-sim-server.ts', import.meta.url), {
  execArgv: process.execArgv.filter((a) => !a.startsWith('--cpu-prof')),
});
const ask = (m: SimRequest) =>
  new Promise<SimReply>((res, rej) => {
    child.once('message', (r: SimReply) => (r.type === 'error' ? rej(new Error(r.message)) : res(r)));
    child.send(m);
  });
const ready = (await ask({ type: 'start', spec, options: { latencyMs } })) as Extract<SimReply, { type: 'ready' }>;
const endpoint = ready.endpoint;
const callerCredentials: AwsCredentialIdentity = ready.credentials;

const baselineDir = extractBaseline(values.baseline);
const setups = [await loadSetup(`A (${values.baseline})`, baselineDir), await loadSetup('B (this tree)', ROOT)];

const RATES = { initialRate: 1e6, burst: 1e6, minRate: 1, maxRate: 1e6, increasePerSecond: 1, decrease: 0.5 };
const HOME = 'us-east-1';

/** One simulated target's clients and calls, built with a setup's glue. */
function target(
  s: Setup,
  shared: { limiters: InstanceType<RateLimitModule['RateLimiters']>; sts: ReturnType<ClientsModule['stsClient']> },
  accountId: string,
  region: string,
) {
  const { limiters, sts } = shared;
  const { eksClient, ec2Client, iamClient } = s.clients;
  const o = (service: string, r: string) => ({
    maxAttempts: 3,
    retryBaseDelayMs: 100,
    endpoint,
    limiter: limiters.for(accountId, r, service),
  });
  const deadline = Deadline.after(120_000);
  const signal = deadline.signal;
  const credentials = assumeRoleOnce(sts, {
    roleArn: `arn:aws:iam::${accountId}:role/KubepostureReader`,
    sessionName: 'bench',
  });
  const eks = s.deadline.withDeadline(eksClient(region, credentials, { ...o('eks', region), signal }), deadline, true);
  const ec2 = s.deadline.withDeadline(ec2Client(region, credentials, { ...o('ec2', region), signal }), deadline, true);
  const iam = iamClient(HOME, credentials, o('iam', HOME));
  const calls: (() => Promise<unknown>)[] = [
    () => credentials(),
    () => eks.send(new ListClustersCommand({})),
    () => iam.send(new ListRolesCommand({})),
  ];
  for (let c = 0; c < nClusters; c++) {
    const name = `bench-${region}-${c}`;
    calls.push(
      () => eks.send(new DescribeClusterCommand({ name })),
      () => eks.send(new ListNodegroupsCommand({ clusterName: name })),
      () => eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: 'general' })),
      () => eks.send(new ListAddonsCommand({ clusterName: name })),
      // Two per cluster, as the node collection reads them (instances of the node group, and of the cluster).
      () => ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:eks:cluster-name', Values: [name] }] })),
      () =>
        ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:eks:nodegroup-name', Values: ['general'] }] })),
    );
  }
  return { calls };
}

type Target = ReturnType<typeof target>;
const reused = new Map<string, Target[]>();

/** One round: `callsPerRound` calls, `inFlight` targets at a time, each target's calls in order. CPU µs per call. */
async function round(s: Setup): Promise<number> {
  const limiters = new s.rateLimit.RateLimiters(() => RATES);
  // One STS client for the round, as a scan has one for all its AssumeRoles.
  const shared = {
    limiters,
    sts: s.clients.stsClient(HOME, callerCredentials, {
      maxAttempts: 3,
      retryBaseDelayMs: 100,
      endpoint,
      limiter: limiters.for('self', HOME, 'sts'),
    }),
  };
  const pool = reused.get(s.name) ?? [];
  let made = 0;
  let next = 0;
  const start = process.cpuUsage();
  const worker = async () => {
    while (made < callsPerRound) {
      const i = next++;
      const key = [ACCOUNTS[i % ACCOUNTS.length]!, REGIONS[Math.floor(i / ACCOUNTS.length) % REGIONS.length]!] as const;
      let t = values.reuse ? pool[i % (ACCOUNTS.length * REGIONS.length)] : undefined;
      if (!t) {
        t = target(s, shared, ...key);
        if (values.reuse) pool[i % (ACCOUNTS.length * REGIONS.length)] = t;
      }
      for (const call of t.calls) {
        if (made >= callsPerRound) break;
        made++;
        await call();
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(start);
  reused.set(s.name, pool);
  return (used.user + used.system) / made;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

try {
  const load0 = loadavg()[0]!;
  const profiler = values.profile ? new Session() : undefined;
  const profiles: unknown[] = [];
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
  }
  // Warm-up: JIT, module loading, connections; not measured.
  for (const s of setups) await round(s);
  const perCall = new Map<string, number[]>(setups.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    // A, B, then B, A: neither always runs first (after the other's garbage).
    for (const s of r % 2 ? [...setups].reverse() : setups) {
      const profiled = profiler && s === setups[1];
      if (profiled) await profiler.post('Profiler.start');
      perCall.get(s.name)!.push(await round(s));
      if (profiled) profiles.push((await profiler.post('Profiler.stop')).profile);
    }
  }
  const load1 = loadavg()[0]!;
  const [a, b] = setups.map((s) => median(perCall.get(s.name)!)) as [number, number];
  const mode = values.reuse ? 'clients reused' : 'fresh clients per target';
  console.log(
    `CPU per AWS API call, ${rounds} rounds of ${callsPerRound} calls, ${inFlight} in flight, ${mode}, ` +
      `${nClusters} clusters per target, sim latency ${latencyMs} ms`,
  );
  for (const s of setups) {
    const xs = perCall.get(s.name)!;
    console.log(
      `  ${s.name.padEnd(16)} median ${median(xs).toFixed(0)} µs  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`,
    );
  }
  console.log(`  B / A = ${(b / a).toFixed(2)}   load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`);
  if (values.profile) {
    // The last profiled round (one file; rounds are alike).
    writeFileSync(values.profile, JSON.stringify(profiles.at(-1)));
    console.log(`  profile of B's last round: ${values.profile}`);
  }
  if (values.json) console.log(JSON.stringify({ a, b, ratio: b / a, rounds, perCall: Object.fromEntries(perCall) }));
} finally {
  child.send({ type: 'close' } satisfies SimRequest);
  child.disconnect();
  rmSync(baselineDir, { recursive: true, force: true });
}
