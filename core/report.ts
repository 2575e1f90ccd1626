import type { ResultStatus } from './check.ts';
import type { ComplianceReport } from './compliance.ts';
import type { Finding } from './finding.ts';
import type { Delta } from './lifecycle.ts';
import { atLeast, compareSeverity, SEVERITIES, type Severity } from './severity.ts';
import type { Provider } from './snapshot.ts';
import type { TargetError } from './target.ts';

/**
 * Bumped on any breaking change to the JSON report; additive fields keep it. 2.0: `findings` may be a selection
 * (then `truncated` says how many were left out and where every finding is: `report.findings.jsonl`).
 */
export const REPORT_SCHEMA_VERSION = '2.0';

/** The file beside `report.json` with every finding of the scan, one JSON object per line. */
export const FINDINGS_FILE = 'report.findings.jsonl';
/** The byte-range index of `report.findings.jsonl` (publish/artifacts.ts) that `GET /findings` pages through. */
export const FINDINGS_INDEX_FILE = 'report.findings.index.json';

/** Present when `findings` holds a selection, not every finding of the scan (large scans, since 2.0). */
export interface ReportTruncation {
  /** Findings of the scan left out of `findings` (they are counted in `summary` and `delta`). */
  findingsOmitted: number;
  /** The file beside this report that has every finding, one JSON object per line: `report.findings.jsonl`. */
  fullDataKey: string;
}

export type TargetStatus = 'scanned' | 'partial' | 'failed';

export interface TargetSummary {
  provider: Provider;
  accountId: string;
  region: string;
  status: TargetStatus;
  clusters: number;
}

export interface ScanInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  trigger: string;
}

export interface ScanSummary {
  clusters: number;
  targets: { total: number; failed: number; partial: number };
  byStatus: Record<ResultStatus, number>;
  /** FAIL findings only. */
  failBySeverity: Record<Severity, number>;
}

/**
 * Something the scan deliberately left out, and why (e.g. the organization's management account, where a
 * service-managed StackSet deploys no reader role). Not an error: nothing failed, nothing is reported as passing.
 */
export interface ScanNote {
  provider: Provider;
  accountId: string;
  reason: string;
}

export interface ScanReport {
  schemaVersion: string;
  tool: { name: 'kubeposture'; version: string };
  scan: ScanInfo;
  summary: ScanSummary;
  targets: TargetSummary[];
  errors: TargetError[];
  findings: Finding[];
  /** What the scan left out on purpose, with the reason (additive, 1.1). Absent when nothing was. */
  notes?: ScanNote[];
  /** Against the stored state (since 1.1): counts, resolved and stale findings. Absent before reconcile. */
  delta?: Delta;
  /**
   * Present when `findings` is a selection (2.0): all new and regressed FAILs first, then the worst FAILs, up to a
   * cap; absent when `findings` is every finding of the scan.
   */
  truncated?: ReportTruncation;
  /**
   * Per benchmark asked for (`--compliance`): every control, its verdict per cluster, and coverage (additive, 2.0:
   * absent unless asked for). Computed from every finding of the scan, before display filters.
   */
  compliance?: ComplianceReport[];
}

export function summarize(findings: readonly Finding[], targets: readonly TargetSummary[]): ScanSummary {
  const counts = findingCounts();
  for (const f of findings) counts.add(f);
  return counts.summary(targets);
}

/** The summary's counts kept a finding at a time (finalize streams findings); `summary` adds the targets'. */
export function findingCounts() {
  const byStatus: Record<ResultStatus, number> = { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 };
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let total = 0;
  return {
    add(f: Pick<Finding, 'status' | 'severity'>) {
      total++;
      byStatus[f.status]++;
      if (f.status === 'FAIL') failBySeverity[f.severity]++;
    },
    get total() {
      return total;
    },
    summary: (targets: readonly TargetSummary[]) => summaryOf(byStatus, failBySeverity, targets),
  };
}

function summaryOf(
  byStatus: Record<ResultStatus, number>,
  failBySeverity: Record<Severity, number>,
  targets: readonly TargetSummary[],
): ScanSummary {
  return {
    clusters: targets.reduce((n, t) => n + t.clusters, 0),
    targets: {
      total: targets.length,
      failed: targets.filter((t) => t.status === 'failed').length,
      partial: targets.filter((t) => t.status === 'partial').length,
    },
    byStatus: { ...byStatus },
    failBySeverity: { ...failBySeverity },
  };
}

const STATUS_ORDER: Record<ResultStatus, number> = { FAIL: 0, ERROR: 1, PASS: 2, NOT_APPLICABLE: 3 };

/** The report's order: worst first, then by place and check. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    compareSeverity(a.severity, b.severity) ||
    a.accountId.localeCompare(b.accountId) ||
    a.region.localeCompare(b.region) ||
    a.clusterName.localeCompare(b.clusterName) ||
    a.checkId.localeCompare(b.checkId) ||
    a.resourceId.localeCompare(b.resourceId)
  );
}

/** Deterministic order: worst first, then by place and check, so two scans diff cleanly. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(compareFindings);
}

/** What a bounded report keeps first: new and regressed unsuppressed FAILs, other FAILs, ERRORs, then the rest. */
function keepRank(f: Finding): number {
  const l = f.lifecycle;
  if (f.status === 'FAIL') return l && !l.suppressed && (l.state === 'new' || l.state === 'regressed') ? 0 : 1;
  if (f.status === 'ERROR') return 2;
  return l ? 3 : 4; // a resolved finding (with a lifecycle) before results that never failed
}

const keepOrder = (a: Finding, b: Finding) => keepRank(a) - keepRank(b) || compareFindings(a, b);

/**
 * The `cap` most important findings of a stream, in memory bounded by `cap` (a heap whose top is the least important
 * kept): every new and regressed FAIL while they fit, then the worst FAILs by severity, then ERRORs. `result` gives
 * them in the report's order, and how many were left out.
 */
export function findingSelection(cap: number) {
  if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`cap must be a whole number ≥ 0, not ${cap}`);
  const heap: Finding[] = [];
  let seen = 0;
  // Max-heap on keepOrder: heap[0] is the finding that would be dropped first.
  const above = (i: number, j: number) => keepOrder(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!above(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && above(l, top)) top = l;
      if (r < heap.length && above(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  return {
    add(f: Finding) {
      seen++;
      if (cap === 0) return;
      if (heap.length < cap) {
        heap.push(f);
        up(heap.length - 1);
      } else if (keepOrder(f, heap[0]!) < 0) {
        heap[0] = f;
        down(0);
      }
    },
    result(): { findings: Finding[]; omitted: number } {
      return { findings: sortFindings([...heap]), omitted: seen - heap.length };
    },
  };
}

/**
 * FAILs at or above the threshold that nobody accepted: a suppressed finding is still reported and counted, but it is
 * an accepted risk with an owner and an expiry, so it never fails a CI gate.
 */
export function failsAtOrAbove(report: Pick<ScanReport, 'findings'>, threshold: Severity): Finding[] {
  return report.findings.filter(
    (f) => f.status === 'FAIL' && !f.lifecycle?.suppressed && atLeast(f.severity, threshold),
  );
}

export function hasFailAtOrAbove(report: Pick<ScanReport, 'findings'>, threshold: Severity): boolean {
  return failsAtOrAbove(report, threshold).length > 0;
}

/** What a CI gate checks, beyond the findings: how much of the fleet was read, and whether anything errored. */
export interface GateOptions {
  /** Unsuppressed FAILs at or above this fail the gate. */
  failOn?: Severity | undefined;
  /** Any ERROR result or collection error fails the gate (strict pipelines). */
  failOnError?: boolean | undefined;
  /** The share of targets (0-100 %) that may fail before the scan is too incomplete to trust. */
  maxFailedTargetsPercent: number;
}

/** Why a gate failed; `incomplete` outranks `errors`, which outranks `findings` (see the CLI's exit codes). */
export interface GateFailure {
  kind: 'incomplete' | 'errors' | 'findings';
  message: string;
}

/**
 * The CI verdict, worst first; empty when the gate passes. Coverage and errors come from the whole scan; FAILs from
 * `shown`, the report as filtered for display (`--severity`, `--changed-only`), so what fails the build is what the
 * user sees. A scan that read nothing always fails: "no failing findings" from no data is the worst false PASS.
 */
export function gateFailures(
  report: Pick<ScanReport, 'summary' | 'errors' | 'findings'>,
  shown: Pick<ScanReport, 'findings'>,
  opts: GateOptions,
): GateFailure[] {
  const out: GateFailure[] = [];
  const { total, failed } = report.summary.targets;
  if (total === 0 || failed === total) {
    out.push({
      kind: 'incomplete',
      message:
        total === 0
          ? 'no target was planned: nothing was scanned (check the accounts, regions, subscriptions and projects)'
          : `no target could be scanned: all ${plural(total, 'target')} failed (credentials, reader role, permissions: see the collection errors)`,
    });
  } else if ((failed / total) * 100 > opts.maxFailedTargetsPercent) {
    const percent = Math.round((failed / total) * 1000) / 10;
    out.push({
      kind: 'incomplete',
      message: `${failed} of ${total} targets failed (${percent}%, above --max-failed-targets ${opts.maxFailedTargetsPercent}%)`,
    });
  }
  if (opts.failOnError) {
    const errored = report.findings.filter((f) => f.status === 'ERROR').length;
    if (errored > 0 || report.errors.length > 0) {
      out.push({
        kind: 'errors',
        message: `--fail-on-error: ${plural(errored, 'ERROR result')} and ${plural(report.errors.length, 'collection error')}`,
      });
    }
  }
  if (opts.failOn) {
    const fails = failsAtOrAbove(shown, opts.failOn).length;
    if (fails > 0) {
      out.push({
        kind: 'findings',
        message: `${plural(fails, 'unsuppressed FAIL finding')} at or above ${opts.failOn}`,
      });
    }
  }
  return out;
}

/** `1 target`, `2 targets`. */
export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** What a report shows and writes: `--severity` (minimum) and `--changed-only` (new, regressed, resolved). */
export interface ReportFilter {
  minSeverity?: Severity | undefined;
  changedOnly?: boolean | undefined;
}

const CHANGED = new Set(['new', 'regressed', 'resolved']);

/**
 * The report with only the findings the filter keeps, and the summary recounted from them; targets, errors and the
 * delta's counts (which describe the whole state) are kept, its resolved and stale lists filtered alike. Applied after
 * reconcile, so state always records the whole scan and a filter never resolves or hides a finding there.
 */
export function filterReport<R extends ScanReport>(report: R, filter: ReportFilter): R {
  const { minSeverity, changedOnly } = filter;
  if (!minSeverity && !changedOnly) return report;
  const severe = (s: Severity) => !minSeverity || atLeast(s, minSeverity);
  const findings = report.findings.filter(
    (f) => severe(f.severity) && (!changedOnly || (f.lifecycle !== undefined && CHANGED.has(f.lifecycle.state))),
  );
  const out: R = { ...report, findings, summary: summarize(findings, report.targets) };
  if (report.delta) {
    out.delta = {
      ...report.delta,
      resolved: report.delta.resolved.filter((r) => severe(r.severity)),
      stale: changedOnly ? [] : report.delta.stale.filter((r) => severe(r.severity)),
    };
  }
  return out;
}
