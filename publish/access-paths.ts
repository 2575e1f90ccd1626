import type { AccessPath, AccessPathHop } from '../core/access-paths.ts';
import type { ResultStatus } from '../core/check.ts';
import type { Finding } from '../core/finding.ts';
import { compareSeverity, type Severity } from '../core/severity.ts';
import type { Provider } from '../core/snapshot.ts';

/** One path as reports show it: the path, and the finding (check) that found it. */
export interface ReportedAccessPath extends AccessPath {
  checkId: string;
  severity: Severity;
  status: ResultStatus;
  findingId: string;
  /** True when the path depends on a policy condition (shown as conditional, never dropped). */
  conditional: boolean;
}

/** The access paths of one cluster: the JSON report's `accessPaths[]`, the HTML section, `kubeposture paths`. */
export interface ClusterAccessPaths {
  provider: Provider;
  accountId: string;
  region: string;
  clusterName: string;
  clusterId: string;
  /** Paths to cluster-admin first, then pod and node paths; worst severity first within each. */
  paths: ReportedAccessPath[];
}

const isText = (v: unknown): v is string => typeof v === 'string';

function hopOf(v: unknown): AccessPathHop | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const h = v as Record<string, unknown>;
  return isText(h.principal) && isText(h.via) && isText(h.action) && isText(h.resource)
    ? { principal: h.principal, via: h.via, action: h.action, resource: h.resource }
    : undefined;
}

/**
 * A path from a result's evidence, or undefined when the entry does not have the shared shape (core/access-paths.ts):
 * a report never guesses at evidence it cannot read.
 */
export function accessPathOf(v: unknown): AccessPath | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (!isText(p.subject) || !isText(p.subjectKind) || !isText(p.reaches) || !Array.isArray(p.hops)) return undefined;
  const hops = p.hops.map(hopOf);
  if (hops.some((h) => !h)) return undefined;
  const conditions = Array.isArray(p.conditions) ? p.conditions.filter(isText) : [];
  return {
    subject: p.subject,
    subjectKind: p.subjectKind,
    reaches: p.reaches,
    hops: hops as AccessPathHop[],
    conditions,
  };
}

/** Who becomes cluster-admin reads first; then what pods and nodes can become. */
const reachRank = (reaches: string) => (reaches === 'cluster-admin' ? 0 : 1);

function comparePaths(a: ReportedAccessPath, b: ReportedAccessPath): number {
  return (
    reachRank(a.reaches) - reachRank(b.reaches) ||
    compareSeverity(a.severity, b.severity) ||
    Number(a.conditional) - Number(b.conditional) ||
    a.reaches.localeCompare(b.reaches) ||
    a.subject.localeCompare(b.subject) ||
    a.checkId.localeCompare(b.checkId)
  );
}

/**
 * Every access path the results carry (`evidence.accessPaths`, core/access-paths.ts), grouped by cluster: clusters
 * with the most severe paths first. Reads nothing else, so a path check of any cloud shows up without this knowing it.
 * The same path found by two results of one check (the same subject, hops and reach) is shown once.
 */
export function accessPathsByCluster(findings: readonly Finding[]): ClusterAccessPaths[] {
  const byCluster = new Map<string, ClusterAccessPaths & { seen: Set<string> }>();
  for (const f of findings) {
    const list = f.evidence?.accessPaths;
    if (!Array.isArray(list) || list.length === 0) continue;
    let cluster = byCluster.get(f.clusterId);
    if (!cluster) {
      cluster = {
        provider: f.provider,
        accountId: f.accountId,
        region: f.region,
        clusterName: f.clusterName,
        clusterId: f.clusterId,
        paths: [],
        seen: new Set(),
      };
      byCluster.set(f.clusterId, cluster);
    }
    for (const raw of list) {
      const path = accessPathOf(raw);
      if (!path) continue;
      const key = JSON.stringify([f.checkId, path]);
      if (cluster.seen.has(key)) continue;
      cluster.seen.add(key);
      cluster.paths.push({
        ...path,
        checkId: f.checkId,
        severity: f.severity,
        status: f.status,
        findingId: f.id,
        conditional: path.conditions.length > 0,
      });
    }
  }
  const out = [...byCluster.values()].map(({ seen: _seen, ...c }) => ({ ...c, paths: c.paths.sort(comparePaths) }));
  return out
    .filter((c) => c.paths.length > 0)
    .sort(
      (a, b) =>
        compareSeverity(a.paths[0]!.severity, b.paths[0]!.severity) ||
        b.paths.length - a.paths.length ||
        a.clusterId.localeCompare(b.clusterId),
    );
}

/** `subject → (action on resource) → … → reaches`, one line, for terminals and plain text. */
export function pathLine(p: AccessPath): string {
  const hops = p.hops.map((h) => `${h.action} on ${h.resource} [${h.via}]`);
  return [p.subject, ...hops, p.reaches].join(' → ');
}

/**
 * The paths as plain text for a terminal (`kubeposture paths`): per cluster, who becomes cluster-admin, then what
 * pods and nodes become; each path hop by hop, conditional ones marked with their condition. Values are escaped by
 * the caller's `clean` (control characters from cloud answers must not reach a terminal).
 */
export function formatAccessPaths(
  clusters: readonly ClusterAccessPaths[],
  clean: (s: string) => string = (s) => s,
): string {
  const lines: string[] = [];
  for (const c of clusters) {
    lines.push(
      `${clean(c.clusterName)}  ${c.provider} ${clean(c.accountId)} ${clean(c.region)}  ${clean(c.clusterId)}`,
    );
    const groups: [string, ReportedAccessPath[]][] = [
      ['Who can become cluster-admin', c.paths.filter((p) => p.reaches === 'cluster-admin')],
      ['What pods and nodes can become', c.paths.filter((p) => p.reaches !== 'cluster-admin')],
    ];
    for (const [title, list] of groups) {
      if (!list.length) continue;
      lines.push(`  ${title}`);
      for (const p of list) {
        const mark = p.conditional ? ' (conditional)' : '';
        lines.push(
          `    [${p.severity}]${mark} ${clean(p.subject)} (${clean(p.subjectKind)}) → ${clean(p.reaches)}   ${p.checkId}`,
        );
        for (const [i, h] of p.hops.entries()) {
          lines.push(
            `      ${i + 1}. ${clean(h.action)} on ${clean(h.resource)}  as ${clean(h.principal)}, via ${clean(h.via)}`,
          );
        }
        for (const cond of p.conditions) lines.push(`      only if ${clean(cond)}`);
      }
    }
    lines.push('');
  }
  const total = clusters.reduce((n, c) => n + c.paths.length, 0);
  const conditional = clusters.reduce((n, c) => n + c.paths.filter((p) => p.conditional).length, 0);
  lines.push(
    total
      ? `${total} access path${total === 1 ? '' : 's'} in ${clusters.length} cluster${clusters.length === 1 ? '' : 's'}${conditional ? ` (${conditional} conditional)` : ''}.`
      : 'No access paths: no result carries one (the path checks found none, did not run, or could not judge: see their ERROR results).',
  );
  return `${lines.join('\n')}\n`;
}
