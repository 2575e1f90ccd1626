import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../checks/index.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { createAzureCollector } from '../collectors/azure/index.ts';
import { createGcpCollector } from '../collectors/gcp/index.ts';
import { parseConfig } from '../core/config.ts';
import { finalizeScan } from '../core/finalize.ts';
import type { Finding } from '../core/finding.ts';
import type { ScanReport } from '../core/report.ts';
import { runScan } from '../core/scan.ts';
import { createLocalStateStore } from '../publish/stores/local.ts';
import { simAzureCredential, simGoogleAuthClient } from '../sim/clients.ts';
import { EMPTY_IS_AN_ANSWER, type FaultPlan } from '../sim/faults.ts';
import { loadSampleFleet, type SimCall, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';

/**
 * The standing fault campaign (issue 10, item 7): the sample fleet (AWS, Azure and GCP) scanned by the real
 * collectors against the simulator, first clean (the baseline), then once per fault class on the same state folder,
 * then clean again. Every scan must complete within scanBoundMs (a target deadline per round of targets), show no PASS the baseline lacked, change no
 * verdict without a gap that says so, and move no finding to new, regressed or resolved. Each scenario is its own
 * test, so a failure names the scenario and lists what went wrong; the table of every scenario is printed at the end.
 */

/** Short limits, so a hung or looping call costs the campaign seconds. */
// The target deadline leaves the fault-free baseline twice the time it takes on two busy cores (about 4 s for the
// sample's largest target, paging its IAM authorization two items at a time): a baseline cut short by its own deadline
// would make every later scan's PASS look false.
const COLLECTION = { connectTimeoutMs: 500, requestTimeoutMs: 1_000, targetTimeoutMs: 8_000, maxPages: 50 };
/** Targets scanned at once (`concurrency.targets`): the sample fleet plans more, so the scan runs them in rounds. */
const TARGETS_AT_ONCE = 8;
/**
 * A scan that has not finished by then is abandoned and reported as not completed: one target deadline per round of
 * TARGETS_AT_ONCE targets (each target is bounded by its own deadline, and a target of the next round starts only when
 * one of this round ends), plus time for the plan (a few calls, each at most requestTimeoutMs × attempts). Shorter
 * than the deadlines plus scanTarget's 5 s grace on purpose: a scan that finishes only because scanTarget gave its
 * collectors up has collectors that ignore their deadline.
 */
function scanBoundMs(plannedTargets: number): number {
  return Math.ceil(plannedTargets / TARGETS_AT_ONCE) * COLLECTION.targetTimeoutMs + 4_000;
}
/** Vitest's own limit per scenario: past any bound the sample fleet can reach (up to 64 targets), plus the settling. */
const TEST_TIMEOUT_MS = scanBoundMs(64) + 15_000;
/** How long an abandoned scan is given, once the faults are cleared and hung sockets dropped, to wind down. */
const SETTLE_MS = 5_000;

/** Pages of two: every list of the sample fleet pages, so token faults have walks to break. */
const SIM_OPTIONS = { maxPageSize: 2 };

interface Scenario {
  name: string;
  plan?: FaultPlan;
}

/** See SCENARIOS. */
const IAM_AUTHORIZATION_SCENARIO: Scenario = {
  name: 'iam-authorization',
  plan: {
    seed: 110,
    rules: (['empty', 'repeat-token', 'truncated', 'throttle'] as const).map((kind) => ({
      kind,
      rate: 0.3,
      service: 'iam',
      action: 'GetAccountAuthorizationDetails',
    })),
  },
};

/** One fault class per scan, at a rate that hits many calls of a scan (a few hundred calls), by a fixed seed. */
const SCENARIOS: Scenario[] = [
  { name: 'throttle', plan: { seed: 101, rules: [{ kind: 'throttle', rate: 0.2 }] } },
  { name: 'server-error', plan: { seed: 102, rules: [{ kind: 'server-error', rate: 0.2 }] } },
  { name: 'truncated', plan: { seed: 103, rules: [{ kind: 'truncated', rate: 0.1 }] } },
  { name: 'garbage', plan: { seed: 104, rules: [{ kind: 'garbage', rate: 0.1 }] } },
  // Not where `{}` is itself a valid answer (no clusters, no more projects): see EMPTY_IS_AN_ANSWER.
  { name: 'empty', plan: { seed: 105, rules: [{ kind: 'empty', rate: 0.3, except: [...EMPTY_IS_AN_ANSWER] }] } },
  { name: 'hang', plan: { seed: 106, rules: [{ kind: 'hang', rate: 0.03 }] } },
  { name: 'slow', plan: { seed: 107, rules: [{ kind: 'slow', rate: 0.2, slowMs: 300 }] } },
  { name: 'repeat-token', plan: { seed: 108, rules: [{ kind: 'repeat-token', rate: 0.3 }] } },
  { name: 'reset', plan: { seed: 109, rules: [{ kind: 'reset', rate: 0.15 }] } },
  // The privilege-path input (issue 13): an account's authorization lost on any page must be a gap on each of its
  // clusters, never an authorization read as "no principals, no paths". A gap shows only through the checks that need
  // it, so the scenario runs once the catalogue has them.
  ...(checks.some((c) => c.needs.includes('iam:GetAccountAuthorizationDetails')) ? [IAM_AUTHORIZATION_SCENARIO] : []),
  // Issue 15: the insight reads alone, throttled (past the retries), garbled and emptied: only EKS.VERSIONS.4 and
  // EKS.NODES.7 may turn ERROR, and nothing may PASS or resolve.
  {
    name: 'insights',
    plan: {
      seed: 110,
      rules: [
        { kind: 'throttle', service: 'eks', action: ['ListInsights', 'DescribeInsight'], rate: 0.5 },
        { kind: 'garbage', service: 'eks', action: ['ListInsights', 'DescribeInsight'], rate: 0.3 },
        { kind: 'empty', service: 'eks', action: ['ListInsights', 'DescribeInsight'], rate: 0.5 },
      ],
    },
  },
  { name: 'clean (after the faults)' },
];

interface Row {
  scenario: string;
  completed: boolean;
  seconds: number;
  /** Requests the simulator answered (or held, or dropped) during the scan. */
  calls: number;
  injected: number;
  /** Faulted calls whose request never got its real answer later in the scan (not retried away). */
  lost: number;
  falsePass: number;
  new: number;
  regressed: number;
  resolved: number;
  gaps: number;
  unexplained: number;
}

interface ScanOutcome {
  report: ScanReport;
  delta: { new: number; regressed: number; resolved: number };
  resolvedIds: string[];
}

describe('fault campaign: the sample fleet under each fault class, on one state folder', () => {
  let sim: SimulatedCloud;
  let stateDir: string;
  let baseline: ScanReport;
  const rows: Row[] = [];
  /**
   * The campaign shares one state folder, as scans do: a finding one scan wrongly resolves (or opens) comes back as
   * regressed (or resolved) in a later one. These name the scan that did it, so each failure points at its cause.
   */
  const resolvedBy = new Map<string, string>();
  const openedBy = new Map<string, string>();

  beforeAll(async () => {
    sim = await startSimulatedCloud(await loadSampleFleet(), SIM_OPTIONS);
    stateDir = await mkdtemp(join(tmpdir(), 'kubeposture-campaign-'));
    const started = performance.now();
    const first = await scan();
    baseline = first.report;
    rows.push({
      ...emptyRow('baseline (first scan: every FAIL is new)'),
      completed: true,
      seconds: (performance.now() - started) / 1000,
      calls: sim.calls.length,
      new: first.delta.new,
    });
    // The baseline itself must be sound, or nothing below means anything.
    expect(baseline.findings.filter((f) => f.status === 'PASS').length).toBeGreaterThan(100);
    expect(new Set(baseline.findings.map((f) => f.provider))).toEqual(new Set(['aws', 'azure', 'gcp']));
    // ... and complete: no target ran out of time (that would be the machine, not a fault, and would make PASS look false).
    expect(baseline.findings.filter((f) => f.status === 'ERROR' && /Timeout/.test(f.message)).map((f) => f.id)).toEqual(
      [],
    );
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    console.log(formatTable(rows));
  });

  function config() {
    const spec = sim.spec;
    return parseConfig({
      aws: {
        roleName: spec.readerRoleName,
        accounts: spec.accounts.map((a) => ({ id: a.id })),
        maxAttempts: 3,
        retryBaseDelayMs: 5,
        kubernetesApiTimeoutMs: 1_000,
      },
      // No lists: subscriptions and projects are discovered (ARM GET /subscriptions, Resource Manager projects.list).
      azure: { maxAttempts: 3 },
      gcp: {},
      concurrency: { targets: TARGETS_AT_ONCE, clustersPerTarget: 4 },
      collection: COLLECTION,
    });
  }

  /** One CLI-equivalent scan: real collectors against the simulator, then reconcile into the state folder. */
  async function scan(abandoned: () => boolean = () => false): Promise<ScanOutcome> {
    const cfg = config();
    const report = await runScan({
      collectors: [
        createAwsCollector(cfg, {
          endpoint: sim.aws.endpoint,
          credentials: sim.callerCredentials,
          homeRegion: 'us-east-1',
        }),
        createAzureCollector(cfg, {
          endpoint: sim.azure!.endpoint,
          ca: sim.azure!.ca,
          credential: simAzureCredential(),
        }),
        createGcpCollector(cfg, { endpoint: sim.gcp!.endpoint, authClient: simGoogleAuthClient() }),
      ],
      checks,
      config: cfg,
      trigger: 'fault-campaign',
    });
    // A scan given up by the campaign must never write state: the next scenario owns the folder by then.
    if (abandoned()) throw new Error('abandoned');
    const store = createLocalStateStore(stateDir);
    const result = await finalizeScan(report, { state: store, stored: await store.load(), now: new Date() });
    const c = result.delta.counts;
    return {
      report: result.report,
      delta: { new: c.new, regressed: c.regressed, resolved: c.resolved },
      resolvedIds: result.delta.resolved.map((r) => r.id),
    };
  }

  for (const scenario of SCENARIOS) {
    it(
      `${scenario.name}: completes in time, no false PASS, no spurious lifecycle change, gaps where data was lost`,
      async () => {
        const problems: string[] = [];
        // An empty plan for the clean scans: no faults, and a fresh record of injections.
        sim.faults.set(scenario.plan ?? { rules: [] });
        let abandoned = false;
        const started = performance.now();
        const callsBefore = sim.calls.length;
        const running = scan(() => abandoned);
        let timer: NodeJS.Timeout | undefined;
        // A scan that throws (rather than reporting errors) is a defect too: kept as its message, not as a crash here.
        const boundMs = scanBoundMs(baseline.targets.length);
        const outcome = await Promise.race([
          running.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), boundMs);
          }),
        ]).finally(() => clearTimeout(timer));
        const seconds = (performance.now() - started) / 1000;
        const calls = sim.calls.length - callsBefore;
        const injected = [...sim.faults.injected];
        // Whatever happened, the next scenario starts on a quiet simulator.
        sim.faults.clear();
        sim.faults.releaseHung();
        if (!outcome) {
          abandoned = true;
          // The abandoned scan may still be walking (a loop that collected thousands of duplicates goes on describing
          // them): a fresh simulator on new ports leaves it talking to a closed one, so it cannot load later scans.
          await sim.close();
          sim = await startSimulatedCloud(await loadSampleFleet(), SIM_OPTIONS);
          const settled = await Promise.race([
            running.then(
              () => true,
              () => true,
            ),
            new Promise<boolean>((r) => setTimeout(() => r(false), SETTLE_MS).unref()),
          ]);
          const hit = summarize(injected);
          problems.push(
            `did not complete within ${boundMs / 1000} s (faults injected so far: ${hit || 'none'})` +
              (settled ? '' : `; still running ${SETTLE_MS / 1000} s after the faults were cleared`),
          );
          rows.push({ ...emptyRow(scenario.name), seconds, calls, injected: injected.length, completed: false });
          expect(problems).toEqual([]);
          return;
        }

        if (outcome instanceof Error) {
          rows.push({ ...emptyRow(scenario.name), seconds, calls, injected: injected.length, completed: false });
          expect([`the scan threw: ${outcome.message}`]).toEqual([]);
          return;
        }
        const lost = lostCalls(sim.calls.slice(callsBefore));
        const row = { ...judge(scenario, outcome, seconds, injected.length, problems), calls, lost: lost.length };
        for (const id of outcome.resolvedIds) resolvedBy.set(id, scenario.name);
        for (const f of outcome.report.findings) if (f.lifecycle?.state === 'new') openedBy.set(f.id, scenario.name);
        rows.push(row);
        if (scenario.plan) {
          // A fault plan that hit nothing proves nothing.
          if (injected.length === 0) problems.push('no fault was injected: raise the rate or check the filters');
          // A fault retried away costs nothing; one whose request never got its real answer lost data, which the
          // report must say.
          if (lost.length > 0 && row.gaps === 0) {
            problems.push(
              `${lost.length} faulted calls never got their real answer (${summarize(lost)}) but the scan recorded no gap: data was lost silently`,
            );
          }
        }
        expect(problems).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );
  }

  /** Compares one scan with the baseline; pushes a line per defect found into `problems`. */
  function judge(scenario: Scenario, outcome: ScanOutcome, seconds: number, injected: number, problems: string[]): Row {
    const { report, delta } = outcome;
    const before = new Map(baseline.findings.map((f) => [f.id, f]));
    const now = new Map(report.findings.map((f) => [f.id, f]));
    const show = (f: Finding, was?: Finding) =>
      `${f.checkId} ${f.clusterName} ${was ? `${was.status}→` : ''}${f.status}: ${f.message.slice(0, 140)}`;

    const falsePass = report.findings.filter((f) => f.status === 'PASS' && before.get(f.id)?.status !== 'PASS');
    for (const f of falsePass) problems.push(`false PASS: ${show(f, before.get(f.id))}`);

    for (const f of report.findings) {
      const state = f.lifecycle?.state;
      if (state === 'new') problems.push(`spurious new: ${show(f, before.get(f.id))}`);
      if (state === 'regressed') {
        const cause = resolvedBy.get(f.id);
        problems.push(`spurious regressed${cause ? ` (wrongly resolved by the ${cause} scan)` : ''}: ${show(f)}`);
      }
    }
    for (const r of report.delta?.resolved ?? []) {
      const cause = openedBy.get(r.id);
      problems.push(
        `spurious resolved${cause ? ` (wrongly opened by the ${cause} scan)` : ''}: ${r.checkId} ${r.clusterName} (${r.reason ?? ''})`,
      );
    }

    // Gaps: errors and ERROR results the baseline did not have.
    const errorKey = (e: ScanReport['errors'][number]) =>
      `${e.provider}/${e.accountId}/${e.region}/${e.stage}/${e.code}`;
    const baseErrors = new Set(baseline.errors.map(errorKey));
    const newErrors = report.errors.filter((e) => !baseErrors.has(errorKey(e)));
    const newErrorFindings = report.findings.filter(
      (f) => f.status === 'ERROR' && before.get(f.id)?.status !== 'ERROR',
    );
    const gaps = newErrors.length + newErrorFindings.length;

    // A verdict that changed, appeared or vanished without a gap saying why: data believed that was not there.
    const covered = (f: Finding) =>
      report.errors.some(
        (e) =>
          e.provider === f.provider &&
          (e.accountId === '*' || e.accountId === f.accountId) && // '*': the whole cloud (listing accounts failed)
          (e.region === '*' || e.region === f.region),
      ) || report.findings.some((g) => g.status === 'ERROR' && g.clusterId === f.clusterId && g.checkId === f.checkId);
    const unexplained: string[] = [];
    for (const [id, was] of before) {
      const is = now.get(id);
      if (!is) {
        if (!covered(was)) unexplained.push(`vanished without a gap: ${show(was)}`);
      } else if (
        is.status !== was.status &&
        !['ERROR', 'PASS'].includes(is.status) &&
        !['new', 'regressed'].includes(is.lifecycle?.state ?? '')
      ) {
        // Already listed: PASS (false PASS), a new or regressed FAIL. Left: a verdict turned NOT_APPLICABLE, or a false
        // FAIL whose finding an earlier scan had already (wrongly) opened.
        unexplained.push(`verdict changed: ${show(is, was)}`);
      }
    }
    for (const [id, is] of now) {
      if (!before.has(id) && is.status !== 'ERROR' && is.status !== 'PASS' && is.lifecycle?.state !== 'new')
        unexplained.push(`appeared: ${show(is)}`);
    }
    problems.push(...unexplained);

    return {
      scenario: scenario.name,
      completed: true,
      seconds,
      calls: 0,
      lost: 0,
      injected,
      falsePass: falsePass.length,
      new: delta.new,
      regressed: delta.regressed,
      resolved: delta.resolved,
      gaps,
      unexplained: unexplained.length,
    };
  }
});

function emptyRow(scenario: string): Row {
  return {
    scenario,
    completed: false,
    seconds: 0,
    calls: 0,
    injected: 0,
    lost: 0,
    falsePass: 0,
    new: 0,
    regressed: 0,
    resolved: 0,
    gaps: 0,
    unexplained: 0,
  };
}

/**
 * Faulted calls (slow ones excepted: they were answered) with no later unfaulted answer to the same request, account
 * and region in the scan: the collector never got the data they were for.
 */
function lostCalls(calls: readonly SimCall[]): SimCall[] {
  const key = (c: SimCall) => `${c.service} ${c.accountId ?? ''} ${c.region ?? ''} ${c.request ?? c.action}`;
  const answeredLater = new Set<string>();
  const lost: SimCall[] = [];
  for (let i = calls.length - 1; i >= 0; i--) {
    const c = calls[i]!;
    if (!c.fault) {
      if (c.status !== 0) answeredLater.add(key(c));
    } else if (c.fault !== 'slow' && !answeredLater.has(key(c))) lost.push(c);
  }
  return lost.reverse();
}

function summarize(injected: { service: string; action: string }[]): string {
  const counts = new Map<string, number>();
  for (const f of injected) counts.set(`${f.service}:${f.action}`, (counts.get(`${f.service}:${f.action}`) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, n]) => `${k}×${n}`)
    .join(', ');
}

function formatTable(rows: Row[]): string {
  const head = [
    'scenario',
    'completed',
    'seconds',
    'calls',
    'faults',
    'lost',
    'false PASS',
    'new/regressed/resolved',
    'gaps',
    'unexplained',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.completed ? 'yes' : 'NO',
    r.seconds.toFixed(1),
    String(r.calls),
    String(r.injected),
    r.completed ? String(r.lost) : '-',
    r.completed ? String(r.falsePass) : '-',
    r.completed ? `${r.new}/${r.regressed}/${r.resolved}` : '-',
    r.completed ? String(r.gaps) : '-',
    r.completed ? String(r.unexplained) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    'Fault campaign (sample fleet):',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
