import type { AccessPath } from '../../core/access-paths.ts';

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
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(value);
}
