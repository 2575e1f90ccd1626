import type { ResultStatus } from './check.ts';
import type { Finding } from './finding.ts';
import type { Provider } from './snapshot.ts';

/**
 * Compliance reports: a benchmark's every control, judged per cluster from the results of the checks mapped to it.
 * Pure: the benchmark catalogues and the check metadata come in as arguments (core imports nothing from checks/).
 */

/** A control as a framework catalogue gives it (checks/frameworks/*.json). */
export interface BenchmarkControl {
  id: string;
  title: string;
  /** The benchmark's own assessment status: whether it says a tool can assess the control. */
  assessment: 'automated' | 'manual';
  guidance?: string | undefined;
}

export interface Benchmark {
  id: string;
  title: string;
  version: string;
  provider: Provider;
  sections?: { id: string; title: string; guidance?: string | undefined }[] | undefined;
  controls: BenchmarkControl[];
}

/** What the compliance report needs of a check: its id, cloud and the controls it maps to. */
export interface MappedCheck {
  id: string;
  provider: Provider;
  frameworks: Record<string, string[]>;
}

/**
 * How kubeposture treats a control: `checked` (at least one check maps to it: judged per cluster), `manual` (the
 * benchmark says a person must assess it, and no check does), `not-assessed` (the benchmark calls it automatable, but
 * it needs what kubeposture does not read: node files, kubelet settings, Kubernetes objects).
 */
export type ControlMode = 'checked' | 'manual' | 'not-assessed';

/** One cluster's verdict on one control. */
export interface ClusterControlVerdict {
  clusterId: string;
  clusterName: string;
  provider: Provider;
  accountId: string;
  region: string;
  /** Any FAIL → FAIL; else any ERROR (or a mapped check without a result) → ERROR; else any PASS → PASS; else N/A. */
  verdict: ResultStatus;
  /** Mapped checks with a FAIL result on this cluster. */
  failing: string[];
  /** Mapped checks with an ERROR result (data not collected) on this cluster. */
  errors: string[];
  /** Mapped checks with no result on this cluster (not run: `--checks`, `--skip-checks`, `checks.disabled`). */
  missing: string[];
  /** FAIL results that a suppression accepted: they still make the control FAIL (as the report counts them). */
  suppressedFails: number;
  /** True when every FAIL result behind the verdict is suppressed: a FAIL that is an accepted risk. */
  acceptedRisk: boolean;
}

export interface ComplianceControl {
  id: string;
  title: string;
  /** The section the control is in (`5.4 Cluster Networking`), when the catalogue names sections. */
  section?: string;
  assessment: 'automated' | 'manual';
  mode: ControlMode;
  /** What to do to assess it by hand, for controls no check judges (and as context for the others). */
  guidance?: string;
  /** Check ids mapped to the control, whether or not they ran. */
  checks: string[];
  /** Clusters by verdict (only `checked` controls have verdicts). */
  verdicts: Record<ResultStatus, number>;
  /** Per cluster, in cluster order; empty unless `checked`. */
  clusters: ClusterControlVerdict[];
}

export interface ComplianceCoverage {
  /** Every control of the benchmark. */
  controls: number;
  /** Controls the benchmark marks Automated. */
  automated: number;
  /** Controls the benchmark marks Manual. */
  manual: number;
  /** Controls at least one kubeposture check maps to (judged per cluster). */
  checked: number;
  /** Of the benchmark's Automated controls, those a check maps to. */
  automatedChecked: number;
}

export interface ComplianceReport {
  benchmark: { id: string; title: string; version: string; provider: Provider };
  coverage: ComplianceCoverage;
  /** Clusters of the benchmark's cloud that have results in this scan. */
  clusters: { clusterId: string; clusterName: string; accountId: string; region: string }[];
  controls: ComplianceControl[];
  /** How verdicts were reached (suppressions, missing results), for a reader of the JSON alone. */
  notes: string[];
}

export const COMPLIANCE_NOTES = [
  'A control is judged per cluster from the results of the checks mapped to it: any FAIL makes it FAIL; otherwise any ERROR, or a mapped check with no result on the cluster, makes it ERROR; otherwise any PASS makes it PASS; otherwise NOT_APPLICABLE.',
  'Suppressed findings are accepted risks, not passes: a suppressed FAIL still makes its control FAIL, as it counts as FAIL in the report summary. suppressedFails counts them and acceptedRisk is true when every failure is suppressed.',
  'Controls no check maps to have no verdict: mode manual (the benchmark says a person assesses it) or not-assessed (it needs node or in-cluster data kubeposture does not read); their guidance says what to check.',
];

const zero = (): Record<ResultStatus, number> => ({ PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 });

/** Numeric order of dotted control ids: 5.4.2 before 5.10.1. */
export function compareControlIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Controls with their mode and mapped checks, and the coverage figures: what the catalogues alone say. */
export function benchmarkCoverage(
  benchmark: Benchmark,
  checks: readonly MappedCheck[],
): { coverage: ComplianceCoverage; checksByControl: Map<string, string[]> } {
  const checksByControl = new Map<string, string[]>(benchmark.controls.map((c) => [c.id, []]));
  for (const check of checks) {
    if (check.provider !== benchmark.provider) continue;
    for (const control of check.frameworks[benchmark.id] ?? []) checksByControl.get(control)?.push(check.id);
  }
  const checked = benchmark.controls.filter((c) => checksByControl.get(c.id)!.length > 0);
  return {
    coverage: {
      controls: benchmark.controls.length,
      automated: benchmark.controls.filter((c) => c.assessment === 'automated').length,
      manual: benchmark.controls.filter((c) => c.assessment === 'manual').length,
      checked: checked.length,
      automatedChecked: checked.filter((c) => c.assessment === 'automated').length,
    },
    checksByControl,
  };
}

/** The section a control belongs to: the longest section id that prefixes it. */
function sectionOf(benchmark: Benchmark, controlId: string) {
  let best: NonNullable<Benchmark['sections']>[number] | undefined;
  for (const s of benchmark.sections ?? []) {
    if (controlId.startsWith(`${s.id}.`) && (!best || s.id.length > best.id.length)) best = s;
  }
  return best;
}

/** A control's own guidance, else its section's. */
export function controlGuidance(benchmark: Benchmark, control: BenchmarkControl): string | undefined {
  return control.guidance ?? sectionOf(benchmark, control.id)?.guidance;
}

interface ClusterAcc {
  provider: Provider;
  cluster: ComplianceReport['clusters'][number];
  /** checkId → status counts and suppressed FAILs, for the mapped checks only. */
  byCheck: Map<string, { counts: Record<ResultStatus, number>; suppressedFails: number }>;
}

/**
 * Builds compliance reports a finding at a time (a scan can stream its findings): memory grows with clusters × mapped
 * checks, not with findings. `result` judges every control of each benchmark for every cluster of its cloud seen.
 */
export function complianceBuilder(benchmarks: readonly Benchmark[], checks: readonly MappedCheck[]) {
  const mapped = new Set<string>();
  for (const b of benchmarks)
    for (const c of checks) if ((c.frameworks[b.id]?.length ?? 0) > 0 && c.provider === b.provider) mapped.add(c.id);
  const clusters = new Map<string, ClusterAcc>();
  return {
    add(f: Finding) {
      let acc = clusters.get(f.clusterId);
      if (!acc) {
        acc = {
          provider: f.provider,
          cluster: { clusterId: f.clusterId, clusterName: f.clusterName, accountId: f.accountId, region: f.region },
          byCheck: new Map(),
        };
        clusters.set(f.clusterId, acc);
      }
      if (!mapped.has(f.checkId)) return;
      let c = acc.byCheck.get(f.checkId);
      if (!c) {
        c = { counts: zero(), suppressedFails: 0 };
        acc.byCheck.set(f.checkId, c);
      }
      c.counts[f.status]++;
      if (f.status === 'FAIL' && f.lifecycle?.suppressed) c.suppressedFails++;
    },
    result(): ComplianceReport[] {
      return benchmarks.map((b) => judge(b, checks, [...clusters.values()]));
    },
  };
}

function judge(benchmark: Benchmark, checks: readonly MappedCheck[], all: ClusterAcc[]): ComplianceReport {
  const { coverage, checksByControl } = benchmarkCoverage(benchmark, checks);
  const clusters = all
    .filter((a) => a.provider === benchmark.provider)
    .sort(
      (x, y) =>
        x.cluster.accountId.localeCompare(y.cluster.accountId) ||
        x.cluster.region.localeCompare(y.cluster.region) ||
        x.cluster.clusterName.localeCompare(y.cluster.clusterName) ||
        x.cluster.clusterId.localeCompare(y.cluster.clusterId),
    );
  const controls = [...benchmark.controls]
    .sort((a, b) => compareControlIds(a.id, b.id))
    .map((control): ComplianceControl => {
      const mappedChecks = checksByControl.get(control.id) ?? [];
      const mode: ControlMode =
        mappedChecks.length > 0 ? 'checked' : control.assessment === 'manual' ? 'manual' : 'not-assessed';
      const section = sectionOf(benchmark, control.id);
      const guidance = controlGuidance(benchmark, control);
      const verdicts = zero();
      const perCluster =
        mode === 'checked' ? clusters.map((acc) => clusterVerdict(acc, mappedChecks, benchmark.provider)) : [];
      for (const v of perCluster) verdicts[v.verdict]++;
      return {
        id: control.id,
        title: control.title,
        ...(section ? { section: `${section.id} ${section.title}` } : {}),
        assessment: control.assessment,
        mode,
        ...(guidance ? { guidance } : {}),
        checks: mappedChecks,
        verdicts,
        clusters: perCluster,
      };
    });
  return {
    benchmark: {
      id: benchmark.id,
      title: benchmark.title,
      version: benchmark.version,
      provider: benchmark.provider,
    },
    coverage,
    clusters: clusters.map((c) => c.cluster),
    controls,
    notes: COMPLIANCE_NOTES,
  };
}

function clusterVerdict(acc: ClusterAcc, mappedChecks: string[], provider: Provider): ClusterControlVerdict {
  const failing: string[] = [];
  const errors: string[] = [];
  const missing: string[] = [];
  let pass = 0;
  let fails = 0;
  let suppressedFails = 0;
  for (const id of mappedChecks) {
    const c = acc.byCheck.get(id);
    if (!c) {
      missing.push(id);
      continue;
    }
    if (c.counts.FAIL > 0) failing.push(id);
    if (c.counts.ERROR > 0) errors.push(id);
    pass += c.counts.PASS;
    fails += c.counts.FAIL;
    suppressedFails += c.suppressedFails;
  }
  // No result is not a pass: a mapped check that did not run leaves the control unknown (ERROR), never PASS.
  const verdict: ResultStatus = failing.length
    ? 'FAIL'
    : errors.length || missing.length
      ? 'ERROR'
      : pass > 0
        ? 'PASS'
        : 'NOT_APPLICABLE';
  return {
    ...acc.cluster,
    provider,
    verdict,
    failing,
    errors,
    missing,
    suppressedFails,
    acceptedRisk: fails > 0 && suppressedFails === fails,
  };
}

/** Every benchmark's compliance report from a report's findings (which must be all of the scan's findings). */
export function complianceReports(
  findings: Iterable<Finding>,
  benchmarks: readonly Benchmark[],
  checks: readonly MappedCheck[],
): ComplianceReport[] {
  const b = complianceBuilder(benchmarks, checks);
  for (const f of findings) b.add(f);
  return b.result();
}

/** Verdicts in the order reports list them: worst first. */
export const VERDICT_ORDER: readonly ResultStatus[] = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE'];

/** `3 FAIL · 1 ERROR · 4 PASS` for a control's clusters (zero counts left out). */
export function verdictSummary(v: Record<ResultStatus, number>): string {
  const parts = VERDICT_ORDER.filter((s) => v[s] > 0).map((s) => `${v[s]} ${s === 'NOT_APPLICABLE' ? 'N/A' : s}`);
  return parts.join(' · ');
}

/** `6 of 50 controls checked (12%) · the benchmark marks 27 Automated (0 of them checked), 23 Manual`. */
export function coverageLine(c: ComplianceCoverage): string {
  const pct = c.controls ? Math.round((c.checked / c.controls) * 100) : 0;
  return `${c.checked} of ${c.controls} controls checked (${pct}%) · the benchmark marks ${c.automated} Automated (${c.automatedChecked} of them checked), ${c.manual} Manual`;
}
