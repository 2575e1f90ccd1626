import type { ResultStatus } from './check.ts';
import type { Finding } from './finding.ts';
import type { Delta } from './lifecycle.ts';
import { compareSeverity, SEVERITIES, type Severity } from './severity.ts';
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

export function hasFailAtOrAbove(report: ScanReport, threshold: Severity): boolean {
  const limit = SEVERITIES.indexOf(threshold);
  return report.findings.some((f) => f.status === 'FAIL' && SEVERITIES.indexOf(f.severity) <= limit);
}
