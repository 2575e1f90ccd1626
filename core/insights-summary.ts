import type { Finding } from './finding.ts';
import { plural } from './report.ts';

/**
 * EKS insights are per cluster and per region, with no view across accounts: the report adds one, an insight name
 * → how many clusters (in how many accounts) have it open. Built from the insight checks' findings (their evidence
 * carries `insight: { name, status, ... }`, see checks/eks/lib/insights.ts), one finding at a time, so the streaming
 * finalize and the CLI share it; it counts every finding of the scan, not just the ones a bounded report keeps.
 */
export interface InsightSummaryRow {
  /** As EKS names it: `Deprecated APIs removed in Kubernetes v1.32`. */
  name: string;
  /** UPGRADE_READINESS, MISCONFIGURATION, ... */
  category: string | null;
  /** Clusters where the insight is not PASSING. */
  clusters: number;
  accounts: number;
  /** Clusters by the insight's status there (ERROR, WARNING, UNKNOWN). */
  byStatus: Record<string, number>;
  /** The Kubernetes versions the insight is about, sorted. */
  kubernetesVersions: string[];
}

interface InsightEvidence {
  name: string;
  category?: unknown;
  status?: unknown;
  kubernetesVersion?: unknown;
}

function insightOf(f: Pick<Finding, 'provider' | 'status' | 'evidence'>): InsightEvidence | undefined {
  if (f.provider !== 'aws' || (f.status !== 'FAIL' && f.status !== 'ERROR')) return undefined;
  const i = (f.evidence as { insight?: unknown } | undefined)?.insight;
  if (typeof i !== 'object' || i === null) return undefined;
  return typeof (i as InsightEvidence).name === 'string' ? (i as InsightEvidence) : undefined;
}

export function insightSummaryBuilder() {
  const rows = new Map<
    string,
    { category: string | null; clusters: Map<string, string>; accounts: Set<string>; versions: Set<string> }
  >();
  return {
    add(f: Pick<Finding, 'provider' | 'status' | 'evidence' | 'clusterId' | 'accountId'>) {
      const i = insightOf(f);
      if (!i) return;
      let row = rows.get(i.name);
      if (!row) {
        row = {
          category: typeof i.category === 'string' ? i.category : null,
          clusters: new Map(),
          accounts: new Set(),
          versions: new Set(),
        };
        rows.set(i.name, row);
      }
      row.clusters.set(f.clusterId, typeof i.status === 'string' ? i.status : 'UNKNOWN');
      row.accounts.add(f.accountId);
      if (typeof i.kubernetesVersion === 'string') row.versions.add(i.kubernetesVersion);
    },
    /** Most widespread first; undefined when no insight is open anywhere (the report then has no `insights`). */
    result(): InsightSummaryRow[] | undefined {
      if (rows.size === 0) return undefined;
      return [...rows]
        .map(([name, r]) => {
          const byStatus: Record<string, number> = {};
          for (const s of r.clusters.values()) byStatus[s] = (byStatus[s] ?? 0) + 1;
          return {
            name,
            category: r.category,
            clusters: r.clusters.size,
            accounts: r.accounts.size,
            byStatus,
            kubernetesVersions: [...r.versions].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
          };
        })
        .sort((a, b) => b.clusters - a.clusters || b.accounts - a.accounts || a.name.localeCompare(b.name));
    },
  };
}

export function summarizeInsights(findings: readonly Finding[]): InsightSummaryRow[] | undefined {
  const b = insightSummaryBuilder();
  for (const f of findings) b.add(f);
  return b.result();
}

/** Terminal lines for the summary: at most `limit` rows, then how many more. Empty when there is nothing to show. */
export function insightSummaryLines(rows: readonly InsightSummaryRow[] | undefined, limit = 10): string[] {
  if (!rows?.length) return [];
  const lines = rows.slice(0, limit).map((r) => {
    const statuses = Object.entries(r.byStatus)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    return `  ${r.name}: ${plural(r.clusters, 'cluster')} in ${plural(r.accounts, 'account')} (${statuses})`;
  });
  if (rows.length > limit) lines.push(`  … and ${rows.length - limit} more`);
  return lines;
}
