/**
 * A synthetic fleet for evaluation benchmarks and the evaluation regression test: every PASS and FAIL example of
 * every check (checks/<provider>/fixtures.ts), EKS, AKS and GKE mixed, copied into as many accounts as needed.
 * Each copy rewrites the account id (AWS account, Azure subscription, GCP project) in every string, so resource ids,
 * and so finding ids, differ between copies the way they do across a real fleet.
 */
import { aksExamples } from '../checks/aks/fixtures.ts';
import { examples as eksExamples } from '../checks/eks/fixtures.ts';
import { gkeExamples } from '../checks/gke/fixtures.ts';
import type { ClusterSnapshot } from '../core/snapshot.ts';

/** Every example snapshot, in a fixed order (EKS, AKS, GKE; by check id; pass then fail). */
export function exampleSnapshots(): ClusterSnapshot[] {
  const out = new Set<ClusterSnapshot>(); // an example may serve several checks: once here
  for (const ex of [eksExamples, aksExamples, gkeExamples] as Record<
    string,
    { pass: ClusterSnapshot[]; fail: ClusterSnapshot[] }
  >[]) {
    for (const id of Object.keys(ex).sort()) for (const s of [...ex[id]!.pass, ...ex[id]!.fail]) out.add(s);
  }
  return [...out];
}

/** Copy `copy` of an account id, in that provider's format. Copy 0 is the id itself. */
function accountCopy(s: ClusterSnapshot, copy: number): string {
  if (copy === 0) return s.accountId;
  const n = String(copy);
  switch (s.provider) {
    // 12 digits, like the original.
    case 'aws':
      return (s.accountId.slice(0, 12 - n.length) + n).slice(0, 12);
    // A GUID: the last group (12 hex digits) changes.
    case 'azure':
      return s.accountId.slice(0, s.accountId.length - 12) + n.padStart(12, '0');
    case 'gcp':
      return `${s.accountId}-${n}`;
  }
}

/** Deep copy with every string's `from` replaced by `to`; Dates and other non-plain objects kept as they are. */
function rewrite<T>(value: T, from: string, to: string): T {
  if (typeof value === 'string') return value.replaceAll(from, to) as T;
  if (Array.isArray(value)) return value.map((v) => rewrite(v, from, to)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[rewrite(k, from, to)] = rewrite(v, from, to);
    return out as T;
  }
  return value;
}

/** At least `count` snapshots: the examples, then copies of them in other accounts, cut to `count`. */
export function syntheticFleet(
  count: number,
  base: readonly ClusterSnapshot[] = exampleSnapshots(),
): ClusterSnapshot[] {
  const out: ClusterSnapshot[] = [];
  for (let copy = 0; out.length < count; copy++) {
    for (const s of base) {
      if (out.length >= count) break;
      out.push(copy === 0 ? s : rewrite(s, s.accountId, accountCopy(s, copy)));
    }
  }
  return out;
}
