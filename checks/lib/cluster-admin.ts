import type { AccessPath } from '../../core/access-paths.ts';
import type { CheckResult } from '../../core/check.ts';
import { wildcardMatch as iamWildcardMatch } from './iam-policy.ts';
import { clusterResult } from './results.ts';

/**
 * More principals than this that can become cluster-admin through the cloud's IAM fail AKS.ACCESS.5 and GKE.ACCESS.3.
 * Ten: the break-glass and platform-team identities, a few pipelines and the cloud's own agents; beyond that, owning
 * the cluster is no longer a short, reviewable list.
 */
export const MAX_CLUSTER_ADMIN_PRINCIPALS = 10;

/** Principals named in a one-line message before "and N more". */
const NAMED = 5;

export interface PrincipalSummary {
  subject: string;
  subjectKind: string;
  /** Every path of this principal depends on a condition (never assumed false: it still counts). */
  conditional: boolean;
  /** What grants it, deduplicated: `Owner at /subscriptions/...`, `roles/editor`. */
  via: string[];
}

/** One entry per subject, in order of first appearance. */
export function principalsOf(paths: readonly AccessPath[]): PrincipalSummary[] {
  const by = new Map<string, PrincipalSummary>();
  for (const p of paths) {
    const s = by.get(p.subject) ?? { subject: p.subject, subjectKind: p.subjectKind, conditional: true, via: [] };
    s.conditional &&= p.conditions.length > 0;
    for (const h of p.hops) if (!s.via.includes(h.via)) s.via.push(h.via);
    by.set(p.subject, s);
  }
  return [...by.values()];
}

/** `a, b, c and 4 more` (conditional ones marked), for a one-line message. */
export function nameList(principals: readonly PrincipalSummary[]): string {
  const names = principals.slice(0, NAMED).map((p) => (p.conditional ? `${p.subject} (conditional)` : p.subject));
  const more = principals.length - NAMED;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/** Wildcard match (`*` any run of characters, case-insensitive), as Azure actions and IAM permission patterns use. */
export function wildcardMatch(pattern: string, value: string): boolean {
  // IAM's matcher (its compiled patterns are cached): Azure actions and GCP permissions have no `?`.
  return iamWildcardMatch(pattern, value, true);
}

/**
 * The verdict of a "how many can become cluster-admin" check: FAIL above the threshold (whatever is unresolved: more
 * paths can only add to it), else ERROR while something is unresolved, else PASS; the paths always in the evidence.
 */
export function countResult(
  s: { id: string },
  paths: readonly AccessPath[],
  o: {
    /** `principal(s)`, `member(s)`. */
    noun: string;
    /** `through Azure role assignments`. */
    through: string;
    /** The PASS message when nobody has a path. */
    none: string;
    /** Why the list is incomplete, when it is. */
    unresolved?: string;
    evidence: Record<string, unknown>;
  },
): CheckResult {
  const principals = principalsOf(paths);
  const evidence = { accessPaths: paths, principals, threshold: MAX_CLUSTER_ADMIN_PRINCIPALS, ...o.evidence };
  const conditional = principals.filter((p) => p.conditional).length;
  const count = `${principals.length} ${o.noun}${conditional ? ` (${conditional} only under a condition)` : ''}`;
  if (principals.length > MAX_CLUSTER_ADMIN_PRINCIPALS)
    return clusterResult(
      s,
      'FAIL',
      `${count} can become cluster-admin ${o.through}, more than ${MAX_CLUSTER_ADMIN_PRINCIPALS}: ${nameList(principals)}`,
      evidence,
    );
  if (o.unresolved) return clusterResult(s, 'ERROR', o.unresolved, evidence);
  return clusterResult(
    s,
    'PASS',
    principals.length ? `${count} can become cluster-admin ${o.through}: ${nameList(principals)}` : o.none,
    evidence,
  );
}
