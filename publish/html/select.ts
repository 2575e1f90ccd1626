import type { Category, ResultStatus } from '../../core/check.ts';
import type { Finding } from '../../core/finding.ts';
import { SEVERITIES } from '../../core/severity.ts';
import type { Provider } from '../../core/snapshot.ts';

/** How much of a fleet the HTML report details; the rest is counted, and is in report.json. */
export interface HtmlLimits {
  /** Cluster sections, worst first. */
  maxClusters: number;
  /** Result rows across the cluster sections: FAIL and ERROR rows are given room before PASS and N/A rows. */
  maxFindings: number;
  /** Rows of the fix-first list. */
  maxFixFirst: number;
}

/** Enough for a fleet of hundreds of clusters in full; at 20,000 clusters it keeps the page to a few MB. */
export const DEFAULT_HTML_LIMITS: HtmlLimits = { maxClusters: 300, maxFindings: 3000, maxFixFirst: 50 };

export interface ClusterStat {
  id: string;
  name: string;
  provider: Provider;
  accountId: string;
  region: string;
  /** FAIL results per severity, in SEVERITIES order. */
  fails: number[];
  byStatus: Record<ResultStatus, number>;
  total: number;
}

export interface CheckStat {
  checkId: string;
  title: string;
  provider: Provider;
  category: Category;
  fail: number;
  error: number;
}

export interface Cell {
  fail: number;
  error: number;
  total: number;
}

/** One pass over every finding: the counts the page shows for the whole fleet, however much it details. */
export interface FleetCounts {
  clusters: ClusterStat[];
  checks: Map<string, CheckStat>;
  /** `category/provider` */
  cells: Map<string, Cell>;
  /** Critical and high FAILs that are not suppressed. */
  urgent: Finding[];
}

const STATUS_ORDER: Record<ResultStatus, number> = { FAIL: 0, ERROR: 1, PASS: 2, NOT_APPLICABLE: 3 };
const SEV_INDEX = new Map(SEVERITIES.map((s, i) => [s, i]));

/** Code-unit order: ICU's localeCompare costs ~1 µs a call, too much for sorting 100,000s of findings. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** New and regressed before the rest: what this scan changed is what a reader acts on first. */
export const fresh = (f: Finding) => f.lifecycle?.state === 'new' || f.lifecycle?.state === 'regressed';

export function countFleet(findings: readonly Finding[]): FleetCounts {
  const clusters = new Map<string, ClusterStat>();
  const checks = new Map<string, CheckStat>();
  const cells = new Map<string, Cell>();
  const urgent: Finding[] = [];
  for (const f of findings) {
    let c = clusters.get(f.clusterId);
    if (!c) {
      c = {
        id: f.clusterId,
        name: f.clusterName,
        provider: f.provider,
        accountId: f.accountId,
        region: f.region,
        fails: SEVERITIES.map(() => 0),
        byStatus: { FAIL: 0, ERROR: 0, PASS: 0, NOT_APPLICABLE: 0 },
        total: 0,
      };
      clusters.set(f.clusterId, c);
    }
    c.total++;
    c.byStatus[f.status]++;
    const key = `${f.category}/${f.provider}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { fail: 0, error: 0, total: 0 };
      cells.set(key, cell);
    }
    cell.total++;
    if (f.status !== 'FAIL' && f.status !== 'ERROR') continue;
    let k = checks.get(f.checkId);
    if (!k) {
      k = { checkId: f.checkId, title: f.title, provider: f.provider, category: f.category, fail: 0, error: 0 };
      checks.set(f.checkId, k);
    }
    if (f.status === 'ERROR') {
      k.error++;
      cell.error++;
      continue;
    }
    c.fails[SEV_INDEX.get(f.severity) ?? SEVERITIES.length - 1]!++;
    k.fail++;
    cell.fail++;
    if ((f.severity === 'critical' || f.severity === 'high') && !f.lifecycle?.suppressed) urgent.push(f);
  }
  const ranked = [...clusters.values()].sort(compareClusters);
  urgent.sort(
    (a, b) =>
      Number(fresh(b)) - Number(fresh(a)) ||
      (SEV_INDEX.get(a.severity) ?? 0) - (SEV_INDEX.get(b.severity) ?? 0) ||
      cmp(a.clusterName, b.clusterName) ||
      cmp(a.checkId, b.checkId) ||
      cmp(a.resourceId, b.resourceId),
  );
  return { clusters: ranked, checks, cells, urgent };
}

/** Worst first: most critical FAILs, then high, ..., then errors; then by name, so the order is stable. */
function compareClusters(a: ClusterStat, b: ClusterStat): number {
  for (let i = 0; i < SEVERITIES.length; i++) {
    const d = (b.fails[i] ?? 0) - (a.fails[i] ?? 0);
    if (d) return d;
  }
  return b.byStatus.ERROR - a.byStatus.ERROR || cmp(a.name, b.name) || cmp(a.id, b.id);
}

/** Within a cluster: FAILs (worst, then new and regressed, first), ERRORs, then PASS and N/A. */
export function compareInCluster(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    (SEV_INDEX.get(a.severity) ?? 0) - (SEV_INDEX.get(b.severity) ?? 0) ||
    Number(fresh(b)) - Number(fresh(a)) ||
    cmp(a.checkId, b.checkId) ||
    cmp(a.resourceId, b.resourceId)
  );
}

export interface ClusterDetail {
  stat: ClusterStat;
  /** FAIL and ERROR rows shown. */
  problems: Finding[];
  /** PASS and N/A rows shown (folded). */
  passing: Finding[];
}

export interface Selection {
  details: ClusterDetail[];
  /** Ids of every finding rendered in detail: the only `#f-…` anchors a link may point to. */
  rendered: Set<string>;
  rows: number;
}

/**
 * The clusters and rows the page details, within the limits: the worst clusters, FAIL and ERROR rows across
 * them before any PASS or N/A row. A second pass over the findings collects only the chosen clusters', so
 * memory grows with the limits, not with the fleet.
 */
export function selectDetail(findings: readonly Finding[], counts: FleetCounts, limits: HtmlLimits): Selection {
  const chosen = counts.clusters.slice(0, Math.max(0, limits.maxClusters));
  const byCluster = new Map<string, Finding[]>(chosen.map((c) => [c.id, []]));
  for (const f of findings) byCluster.get(f.clusterId)?.push(f);
  let budget = Math.max(0, limits.maxFindings);
  const details: ClusterDetail[] = chosen.map((stat) => {
    const list = (byCluster.get(stat.id) ?? []).sort(compareInCluster);
    const split = stat.byStatus.FAIL + stat.byStatus.ERROR;
    const problems = list.slice(0, Math.min(split, budget));
    budget -= problems.length;
    return { stat, problems, passing: list.slice(split) };
  });
  for (const d of details) {
    d.passing = d.passing.slice(0, budget);
    budget -= d.passing.length;
  }
  byCluster.clear();
  const rendered = new Set<string>();
  let rows = 0;
  for (const d of details) {
    for (const f of d.problems) rendered.add(f.id);
    for (const f of d.passing) rendered.add(f.id);
    rows += d.problems.length + d.passing.length;
  }
  return { details, rendered, rows };
}
