/**
 * Evaluation throughput on one core: the full check set on a synthetic fleet (every check's PASS and FAIL examples,
 * EKS, AKS and GKE mixed, copied into many accounts; or, with --sample, the sample fleet collected once from the
 * simulator and copied the same way). Prints snapshots/s and findings/s over many rounds in one process, the
 * costliest checks (each timed alone), and finding ids against the reference sha256 in the same run.
 *
 *   npm run bench:eval -- [--snapshots 5000] [--rounds 20] [--batch 20 (0: all at once)] [--sample] [--top 10]
 *                          [--baseline <another checkout, e.g. of main>]
 *
 * With --baseline, rounds alternate between this checkout's engine and checks and the other checkout's, in this
 * process on the same snapshots, so a loaded machine slows both alike; the bench fails if their findings differ.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checks } from '../checks/index.ts';
import type { AnyCheck, EvalContext } from '../core/check.ts';
import { CheckSettingsSchema } from '../core/config.ts';
import { evaluateSnapshots, runCheck } from '../core/engine.ts';
import { findingId } from '../core/finding.ts';
import type { ClusterSnapshot } from '../core/snapshot.ts';
import { exampleSnapshots, syntheticFleet } from './eval-fleet.ts';

const { values } = parseArgs({
  options: {
    snapshots: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '20' },
    top: { type: 'string', default: '10' },
    batch: { type: 'string', default: '20' },
    sample: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const nSnapshots = Number(values.snapshots);
const rounds = Number(values.rounds);
const top = Number(values.top);
const batch = Number(values.batch) || Number.POSITIVE_INFINITY;

/** The sample fleet (sim/fleets/sample.yaml), collected once from the simulator on loopback, all three clouds. */
async function sampleSnapshots(): Promise<ClusterSnapshot[]> {
  const { loadSampleFleet, startSimulatedCloud } = await import('../sim/index.ts');
  const { simAzureCredential, simGoogleAuthClient } = await import('../sim/clients.ts');
  const { createAwsCollector } = await import('../collectors/aws/index.ts');
  const { createAzureCollector } = await import('../collectors/azure/index.ts');
  const { createGcpCollector } = await import('../collectors/gcp/index.ts');
  const { parseConfig } = await import('../core/config.ts');
  const spec = await loadSampleFleet();
  const sim = await startSimulatedCloud(spec);
  try {
    const config = parseConfig({
      aws: { roleName: spec.readerRoleName, accounts: spec.accounts.map((a) => ({ id: a.id })) },
      azure: { maxAttempts: 2, subscriptions: spec.azure?.subscriptions.map((s) => s.id) },
      gcp: { maxAttempts: 2, projects: spec.gcp?.projects.map((p) => p.id) },
    });
    const collectors = [
      createAwsCollector(config, {
        endpoint: sim.aws.endpoint,
        credentials: sim.callerCredentials,
        homeRegion: 'us-east-1',
      }),
      ...(sim.azure
        ? [
            createAzureCollector(config, {
              endpoint: sim.azure.endpoint,
              ca: sim.azure.ca,
              credential: simAzureCredential(),
            }),
          ]
        : []),
      ...(sim.gcp
        ? [createGcpCollector(config, { endpoint: sim.gcp.endpoint, authClient: simGoogleAuthClient() })]
        : []),
    ];
    const out: ClusterSnapshot[] = [];
    for (const c of collectors) {
      const plan = await c.plan();
      for (const t of plan.targets) out.push(...(await c.collect(t)).snapshots);
    }
    return out;
  } finally {
    await sim.close();
  }
}

/** The finding id as first shipped (sha256 of `checkId NUL resourceId`, 32 hex digits): the reference for speed. */
function referenceFindingId(checkId: string, resourceId: string): string {
  return createHash('sha256').update(`${checkId}\u0000${resourceId}`).digest('hex').slice(0, 32);
}

/** CPU milliseconds of this process (all threads) while `fn` runs: less disturbed by a loaded machine than wall time. */
function cpuTime(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const base = values.sample ? await sampleSnapshots() : exampleSnapshots();
const fleet = syntheticFleet(nSnapshots, base);
const ctx: EvalContext = { now: new Date('2026-06-01T12:00:00Z'), settings: CheckSettingsSchema.parse({}) };
const byProvider: Partial<Record<ClusterSnapshot['provider'], ClusterSnapshot[]>> = {};
for (const s of fleet) {
  const list = byProvider[s.provider] ?? [];
  list.push(s);
  byProvider[s.provider] = list;
}
console.log(
  `fleet: ${fleet.length} snapshots (${Object.entries(byProvider)
    .map(([p, l]) => `${p} ${l?.length ?? 0}`)
    .join(
      ', ',
    )}) from ${base.length} ${values.sample ? 'sample-fleet' : 'example'} snapshots; ${checks.length} checks; ${rounds} rounds`,
);
console.log(`load average (1 min) at start: ${loadavg()[0]!.toFixed(2)} on this machine`);

type Evaluate = typeof evaluateSnapshots;
interface Engine {
  name: string;
  evaluateSnapshots: Evaluate;
  checks: readonly AnyCheck[];
}
const engines: Engine[] = [{ name: 'this checkout', evaluateSnapshots, checks }];
if (values.baseline) {
  const dir = resolve(values.baseline);
  const load = async <T>(path: string) => (await import(pathToFileURL(join(dir, path)).href)) as T;
  engines.push({
    name: `baseline ${dir}`,
    evaluateSnapshots: (await load<{ evaluateSnapshots: Evaluate }>('core/engine.ts')).evaluateSnapshots,
    checks: (await load<{ checks: readonly AnyCheck[] }>('checks/index.ts')).checks,
  });
}

// Warm-up, then the measured rounds (engines alternating). Wall time suffers from other processes on a shared
// machine; CPU time (this process, all its threads: GC helpers count) much less, so both are shown; the best round
// is the least disturbed.
const evaluate = (e: Engine) => {
  if (batch >= fleet.length) return e.evaluateSnapshots(fleet, e.checks, ctx).length;
  let n = 0;
  for (let i = 0; i < fleet.length; i += batch)
    n += e.evaluateSnapshots(fleet.slice(i, i + batch), e.checks, ctx).length;
  return n;
};
let findingsPerRound = 0;
for (let i = 0; i < 3; i++) for (const e of engines) findingsPerRound = evaluate(e);
const wallMs = engines.map((): number[] => []);
const cpuMs = engines.map((): number[] => []);
for (let i = 0; i < rounds; i++) {
  engines.forEach((e, k) => {
    const t0 = performance.now();
    cpuMs[k]!.push(cpuTime(() => evaluate(e)));
    wallMs[k]!.push(performance.now() - t0);
  });
}
const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!;
const best = (ms: number[]) => Math.min(...ms);
const report = (what: string, ms: number[]) => {
  for (const [label, v] of [
    ['median', median(ms)],
    ['best', best(ms)],
  ] as const)
    console.log(
      `  ${what} ${label.padEnd(6)} ${v.toFixed(1).padStart(7)} ms per round → ${fmt((fleet.length / v) * 1000).padStart(7)} snapshots/s, ${fmt((findingsPerRound / v) * 1000).padStart(9)} findings/s`,
    );
};
console.log(
  `findings per round: ${fmt(findingsPerRound)} (${(findingsPerRound / fleet.length).toFixed(1)} per snapshot)`,
);
engines.forEach((e, k) => {
  console.log(
    `evaluateSnapshots (${e.name}) ${batch >= fleet.length ? 'on the whole fleet at once' : `per batch of ${batch} snapshots (as a scan does per target)`}:`,
  );
  report('wall', wallMs[k]!);
  report('CPU ', cpuMs[k]!);
});
if (engines.length > 1) {
  console.log(
    `speed-up over the baseline, same run: ${(median(cpuMs[1]!) / median(cpuMs[0]!)).toFixed(2)}× (CPU medians), ${(best(cpuMs[1]!) / best(cpuMs[0]!)).toFixed(2)}× (CPU bests), ${(median(wallMs[1]!) / median(wallMs[0]!)).toFixed(2)}× (wall medians)`,
  );
  const same =
    JSON.stringify(evaluateSnapshots(fleet, checks, ctx)) ===
    JSON.stringify(engines[1]!.evaluateSnapshots(fleet, engines[1]!.checks, ctx));
  console.log(`findings identical to the baseline's (JSON, in order): ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
}

// Each check alone (through runCheck, so the engine's per-result work is included), over the snapshots of its cloud.
const checkRounds = Math.max(3, Math.ceil(rounds / 4));
const perCheck = (top === 0 ? [] : (checks as readonly AnyCheck[])).map((check) => {
  const mine = byProvider[check.provider] ?? [];
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < checkRounds; i++)
    ms = Math.min(
      ms,
      cpuTime(() => {
        for (const s of mine) runCheck(check, s, ctx);
      }),
    );
  return { id: check.id, ms };
});
const totalCheckMs = perCheck.reduce((a, c) => a + c.ms, 0);
perCheck.sort((a, b) => b.ms - a.ms);
if (top > 0)
  console.log(
    `\ncostliest checks (each alone, CPU, best of ${checkRounds}; sum ${totalCheckMs.toFixed(1)} ms per round):`,
  );
for (const c of perCheck.slice(0, top))
  console.log(
    `  ${c.id.padEnd(24)} ${c.ms.toFixed(2).padStart(8)} ms  ${((c.ms / totalCheckMs) * 100).toFixed(1).padStart(5)}%`,
  );

// Finding ids alone: the shipped function against the reference, on this round's (checkId, resourceId) pairs.
const pairs = evaluateSnapshots(fleet, checks, ctx).map((f) => [f.checkId, f.resourceId] as const);
const idMs = (fn: (c: string, r: string) => string) => {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++)
    ms = Math.min(
      ms,
      cpuTime(() => {
        for (const [c, r] of pairs) fn(c, r);
      }),
    );
  return ms;
};
const refMs = idMs(referenceFindingId);
const newMs = idMs(findingId);
const mismatches = pairs.filter(([c, r]) => findingId(c, r) !== referenceFindingId(c, r)).length;
console.log(
  `\nfinding ids for ${fmt(pairs.length)} findings (CPU): reference sha256 ${refMs.toFixed(1)} ms, shipped ${newMs.toFixed(1)} ms (${(refMs / newMs).toFixed(1)}× faster); ${mismatches} differ from the reference`,
);
console.log(`load average (1 min) at end: ${loadavg()[0]!.toFixed(2)}`);
if (mismatches > 0) process.exitCode = 1;
