import type { CheckMeta } from '../../core/check.ts';
import type { ComplianceReport } from '../../core/compliance.ts';
import type { Finding } from '../../core/finding.ts';
import type { ScanReport } from '../../core/report.ts';

/**
 * CSV for spreadsheets (RFC 4180: comma-separated, CRLF line ends, a header row, fields with a comma, quote or line
 * break quoted and quotes doubled). Cloud text is untrusted: a cell that starts with = + - @ (or a tab or carriage
 * return) is prefixed with ' so a spreadsheet shows it instead of running it as a formula (CSV injection).
 * Column order is part of the format: columns are only ever added at the end.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: guarded against formulas, quoted when it must be. */
export function csvCell(value: string | number | boolean | undefined): string {
  let s = value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRows(rows: readonly (readonly (string | number | boolean | undefined)[])[]): string {
  return rows.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}

/** The columns of `--format csv`, one row per result. */
export const FINDING_COLUMNS = [
  'provider',
  'account',
  'region',
  'cluster',
  'check_id',
  'title',
  'severity',
  'status',
  'lifecycle',
  'suppressed',
  'category',
  'resource_id',
  'message',
  'controls',
  'first_seen',
  'last_seen',
  'stale',
  'suppression_reason',
  'suppressed_until',
  'cluster_id',
  'finding_id',
] as const;

/** `cis-eks-1.8 5.4.1; securityhub EKS.1`: the framework controls a check maps to. */
function controlsOf(meta: CheckMeta | undefined): string {
  if (!meta) return '';
  return Object.entries(meta.frameworks)
    .flatMap(([fw, ids]) => ids.map((id) => `${fw} ${id}`))
    .join('; ');
}

function findingRow(f: Finding, meta: CheckMeta | undefined): (string | undefined)[] {
  const l = f.lifecycle;
  return [
    f.provider,
    f.accountId,
    f.region,
    f.clusterName,
    f.checkId,
    f.title,
    f.severity,
    f.status,
    l?.state,
    l?.suppressed ? 'yes' : 'no',
    f.category,
    f.resourceId,
    f.message,
    controlsOf(meta),
    l?.firstSeen,
    l?.lastSeen,
    l?.stale ? 'yes' : 'no',
    l?.suppressed?.reason,
    l?.suppressed?.expires,
    f.clusterId,
    f.id,
  ];
}

/** Every finding of the report, one row each, in the report's order. */
export function findingsCsv(report: Pick<ScanReport, 'findings'>, catalogue: readonly CheckMeta[] = []): string {
  const metaById = new Map(catalogue.map((c) => [c.id, c]));
  return csvRows([FINDING_COLUMNS, ...report.findings.map((f) => findingRow(f, metaById.get(f.checkId)))]);
}

/** The columns of `--format csv --compliance`, one row per benchmark, control and cluster. */
export const COMPLIANCE_COLUMNS = [
  'benchmark',
  'benchmark_version',
  'control',
  'control_title',
  'section',
  'assessment',
  'mode',
  'provider',
  'account',
  'region',
  'cluster',
  'verdict',
  'checks',
  'failing_checks',
  'error_checks',
  'missing_checks',
  'suppressed_fails',
  'accepted_risk',
  'guidance',
  'cluster_id',
] as const;

/** A control no check judges has no verdict: it says why instead. */
const MODE_VERDICT = { manual: 'MANUAL', 'not-assessed': 'NOT_ASSESSED' } as const;

/**
 * One row per (benchmark, control, cluster of the benchmark's cloud), for every control, so filtering on a cluster
 * shows the whole benchmark for it. A control no check maps to gets MANUAL or NOT_ASSESSED as its verdict, on every
 * cluster's row; a benchmark with no cluster in the scan gets one row per control with empty cluster columns (and
 * NO_CLUSTERS as the verdict of its checked controls).
 */
export function complianceCsv(reports: readonly ComplianceReport[]): string {
  const rows: (string | number | undefined)[][] = [];
  for (const rep of reports) {
    const b = rep.benchmark;
    for (const c of rep.controls) {
      const head = [b.id, b.version, c.id, c.title, c.section, c.assessment, c.mode];
      const tail = (v: string, cl?: (typeof c.clusters)[number]) => [
        v,
        c.checks.join('; '),
        cl?.failing.join('; '),
        cl?.errors.join('; '),
        cl?.missing.join('; '),
        cl ? cl.suppressedFails : undefined,
        cl ? (cl.acceptedRisk ? 'yes' : 'no') : undefined,
        c.guidance,
      ];
      if (rep.clusters.length === 0) {
        rows.push([
          ...head,
          b.provider,
          '',
          '',
          '',
          ...tail(c.mode === 'checked' ? 'NO_CLUSTERS' : MODE_VERDICT[c.mode]),
          '',
        ]);
        continue;
      }
      if (c.mode !== 'checked') {
        for (const cl of rep.clusters)
          rows.push([
            ...head,
            b.provider,
            cl.accountId,
            cl.region,
            cl.clusterName,
            ...tail(MODE_VERDICT[c.mode]),
            cl.clusterId,
          ]);
        continue;
      }
      for (const cl of c.clusters)
        rows.push([
          ...head,
          cl.provider,
          cl.accountId,
          cl.region,
          cl.clusterName,
          ...tail(cl.verdict, cl),
          cl.clusterId,
        ]);
    }
  }
  return csvRows([COMPLIANCE_COLUMNS, ...rows]);
}

/** `--format csv`: compliance rows when the report has a compliance section (`--compliance`), else finding rows. */
export function toCsv(report: ScanReport, catalogue: readonly CheckMeta[] = []): string {
  return report.compliance ? complianceCsv(report.compliance) : findingsCsv(report, catalogue);
}
