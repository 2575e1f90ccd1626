import { type AnyCheck, type CheckResult, type EvalContext, evaluateMatching, RESULT_STATUSES } from './check.ts';
import { errorMessage } from './errors.ts';
import { type Finding, findingId } from './finding.ts';
import type { ClusterSnapshot, CollectionGap, Provider } from './snapshot.ts';

/** The gaps of a snapshot that a check depends on. */
export function gapsFor(check: Pick<AnyCheck, 'needs'>, snapshot: ClusterSnapshot): CollectionGap[] {
  return snapshot.gaps.filter((g) => check.needs.includes(g.need));
}

function toFinding(check: AnyCheck, s: ClusterSnapshot, r: CheckResult): Finding {
  return {
    id: findingId(check.id, r.resourceId),
    checkId: check.id,
    title: check.title,
    category: check.category,
    severity: r.severity ?? check.severity,
    status: r.status,
    provider: s.provider,
    accountId: s.accountId,
    region: s.region,
    clusterName: s.name,
    clusterId: s.id,
    resourceId: r.resourceId,
    message: r.message,
    evidence: r.evidence ?? {},
  };
}

function errorResult(s: ClusterSnapshot, message: string, evidence: Record<string, unknown>): CheckResult {
  return { status: 'ERROR', resourceId: s.id, message, evidence };
}

const VALID_STATUSES: ReadonlySet<unknown> = new Set(RESULT_STATUSES);

/**
 * Runs one check on one cluster. Never throws and never returns nothing:
 * - data the check needs was not collected → one ERROR naming what and why (never PASS);
 * - the check throws or returns a malformed result → ERROR with the message;
 * - the check has nothing to look at → NOT_APPLICABLE, so no cluster silently lacks a verdict.
 */
export function runCheck(check: AnyCheck, s: ClusterSnapshot, ctx: EvalContext): Finding[] {
  const out: Finding[] = [];
  runCheckInto(check, s, ctx, out);
  return out;
}

/** runCheck, appending to `out`: evaluation of a fleet makes one list, not one per check and cluster. */
function runCheckInto(check: AnyCheck, s: ClusterSnapshot, ctx: EvalContext, out: Finding[]): void {
  // Most snapshots have no gaps: skip building an empty list per check.
  const gaps = s.gaps.length > 0 ? gapsFor(check, s) : undefined;
  if (gaps && gaps.length > 0) {
    const reasons = gaps.map((g) => `${g.need}: ${g.error}`).join('; ');
    out.push(toFinding(check, s, errorResult(s, `Could not collect what this check needs (${reasons})`, { gaps })));
    return;
  }
  let results: CheckResult[] | undefined;
  try {
    results = evaluateMatching(check, s, ctx);
  } catch (e) {
    out.push(toFinding(check, s, errorResult(s, `Check failed while evaluating: ${errorMessage(e)}`, {})));
    return;
  }
  if (results === undefined) {
    out.push(
      toFinding(check, s, errorResult(s, `Check is for ${check.provider}, the cluster is on ${s.provider}`, {})),
    );
    return;
  }
  if (!Array.isArray(results)) {
    out.push(toFinding(check, s, errorResult(s, 'Check returned no result list', {})));
    return;
  }
  if (results.length === 0) {
    out.push(
      toFinding(check, s, {
        status: 'NOT_APPLICABLE',
        resourceId: s.id,
        message: 'Nothing to evaluate on this cluster',
      }),
    );
    return;
  }
  for (const r of results as unknown[] as (CheckResult | null | undefined)[]) {
    out.push(
      r && VALID_STATUSES.has(r.status) && typeof r.resourceId === 'string' && r.resourceId.length > 0
        ? toFinding(check, s, r)
        : toFinding(check, s, errorResult(s, `Check returned a malformed result: ${JSON.stringify(r)}`, {})),
    );
  }
}

/** Every applicable check on every snapshot. Pure: no I/O, no clock. */
export function evaluateSnapshots(
  snapshots: readonly ClusterSnapshot[],
  checks: readonly AnyCheck[],
  ctx: EvalContext,
): Finding[] {
  // The checks of each cloud, in registry order, once per call rather than a provider test per check and cluster.
  const byProvider = new Map<Provider, AnyCheck[]>();
  for (const check of checks) {
    const list = byProvider.get(check.provider);
    if (list) list.push(check);
    else byProvider.set(check.provider, [check]);
  }
  const findings: Finding[] = [];
  for (const s of snapshots) {
    for (const check of byProvider.get(s.provider) ?? []) runCheckInto(check, s, ctx, findings);
  }
  return findings;
}
