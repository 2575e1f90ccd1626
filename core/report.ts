import type { ResultStatus } from './check.ts';
import type { Finding } from './finding.ts';
import type { Delta } from './lifecycle.ts';
import { compareSeverity, SEVERITIES, type Severity } from './severity.ts';
import type { Provider } from './snapshot.ts';
import type { TargetError } from './target.ts';

/** Bumped on any breaking change to the JSON report; additive fields keep it. */
export const REPORT_SCHEMA_VERSION = '1.1';

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
}

export function summarize(findings: readonly Finding[], targets: readonly TargetSummary[]): ScanSummary {
  const byStatus: Record<ResultStatus, number> = { PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 };
  const failBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) {
    byStatus[f.status]++;
    if (f.status === 'FAIL') failBySeverity[f.severity]++;
  }
  return {
    clusters: targets.reduce((n, t) => n + t.clusters, 0),
    targets: {
      total: targets.length,
      failed: targets.filter((t) => t.status === 'failed').length,
      partial: targets.filter((t) => t.status === 'partial').length,
    },
    byStatus,
    failBySeverity,
  };
}

const STATUS_ORDER: Record<ResultStatus, number> = { FAIL: 0, ERROR: 1, PASS: 2, NOT_APPLICABLE: 3 };

/** Deterministic order: worst first, then by place and check, so two scans diff cleanly. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      compareSeverity(a.severity, b.severity) ||
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.clusterName.localeCompare(b.clusterName) ||
      a.checkId.localeCompare(b.checkId) ||
      a.resourceId.localeCompare(b.resourceId),
  );
}

export function hasFailAtOrAbove(report: ScanReport, threshold: Severity): boolean {
  const limit = SEVERITIES.indexOf(threshold);
  return report.findings.some((f) => f.status === 'FAIL' && SEVERITIES.indexOf(f.severity) <= limit);
}
