import { type AnyCheck, type CheckResult, type EvalContext, evaluateMatching, RESULT_STATUSES } from './check.ts';
import { errorMessage } from './errors.ts';
import { type Finding, findingId } from './finding.ts';
import type { ClusterSnapshot, CollectionGap } from './snapshot.ts';

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

/**
 * Runs one check on one cluster. Never throws and never returns nothing:
 * - data the check needs was not collected → one ERROR naming what and why (never PASS);
 * - the check throws or returns a malformed result → ERROR with the message;
 * - the check has nothing to look at → NOT_APPLICABLE, so no cluster silently lacks a verdict.
 */
export function runCheck(check: AnyCheck, s: ClusterSnapshot, ctx: EvalContext): Finding[] {
  const gaps = gapsFor(check, s);
  if (gaps.length > 0) {
    const reasons = gaps.map((g) => `${g.need}: ${g.error}`).join('; ');
    return [toFinding(check, s, errorResult(s, `Could not collect what this check needs (${reasons})`, { gaps }))];
  }
  let results: CheckResult[] | undefined;
  try {
    results = evaluateMatching(check, s, ctx);
  } catch (e) {
    return [toFinding(check, s, errorResult(s, `Check failed while evaluating: ${errorMessage(e)}`, {}))];
  }
  if (results === undefined) {
    return [toFinding(check, s, errorResult(s, `Check is for ${check.provider}, the cluster is on ${s.provider}`, {}))];
  }
  if (!Array.isArray(results)) {
    return [toFinding(check, s, errorResult(s, 'Check returned no result list', {}))];
  }
  if (results.length === 0) {
    return [
      toFinding(check, s, {
        status: 'NOT_APPLICABLE',
        resourceId: s.id,
        message: 'Nothing to evaluate on this cluster',
      }),
    ];
  }
  return results.map((r) =>
    RESULT_STATUSES.includes(r?.status) && typeof r.resourceId === 'string' && r.resourceId.length > 0
      ? toFinding(check, s, r)
      : toFinding(check, s, errorResult(s, `Check returned a malformed result: ${JSON.stringify(r)}`, {})),
  );
}

/** Every applicable check on every snapshot. Pure: no I/O, no clock. */
export function evaluateSnapshots(
  snapshots: readonly ClusterSnapshot[],
  checks: readonly AnyCheck[],
  ctx: EvalContext,
): Finding[] {
  const findings: Finding[] = [];
  for (const s of snapshots) {
    for (const check of checks) {
      if (check.provider !== s.provider) continue;
      findings.push(...runCheck(check, s, ctx));
    }
  }
  return findings;
}
