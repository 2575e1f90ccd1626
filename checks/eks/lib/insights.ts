import type { Insight, InsightSummary } from '@aws-sdk/client-eks';
import type { CheckResult, EksClusterSnapshot } from '../../../core/check.ts';
import type { Severity } from '../../../core/severity.ts';
import { clusterResult, missingField } from './results.ts';

/** What both insight checks read; DescribeInsight too, or a non-passing insight without its detail would be dropped. */
export const INSIGHT_NEEDS = ['eks:ListInsights', 'eks:DescribeInsight'];

/** The response fields the insight checks judge by, newest first. */
export const INSIGHT_READS = [
  'ListInsights.insights[].insightStatus.status',
  'ListInsights.insights[].category',
  'DescribeInsight.insight.recommendation',
  'DescribeInsight.insight.insightStatus.reason',
  'DescribeInsight.insight.categorySpecificSummary.deprecationDetails',
  'DescribeInsight.insight.categorySpecificSummary.addonCompatibilityDetails',
  'DescribeInsight.insight.resources',
];

/** A result about one insight: stable across scans, since EKS keeps an insight's id for the life of the cluster. */
export function insightResourceId(s: Pick<EksClusterSnapshot, 'arn'>, insightId: string): string {
  return `${s.arn}/insight/${insightId}`;
}

/** At most this many resources and deprecated calls in the evidence (a cluster can name hundreds). */
const MAX_LISTED = 20;

const oneLine = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
const iso = (d: Date | undefined) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);

/** The deprecated API calls of an insight, as evidence: what is called, its replacement, when it stops, who calls it. */
function deprecatedCalls(i: Insight) {
  return (i.categorySpecificSummary?.deprecationDetails ?? []).slice(0, MAX_LISTED).map((d) => ({
    usage: d.usage ?? null,
    replacedWith: d.replacedWith ?? null,
    stopServingVersion: d.stopServingVersion ?? null,
    startServingReplacementVersion: d.startServingReplacementVersion ?? null,
    clients: (d.clientStats ?? []).map((c) => ({
      userAgent: c.userAgent ?? null,
      numberOfRequestsLast30Days: c.numberOfRequestsLast30Days ?? null,
      lastRequestTime: iso(c.lastRequestTime) ?? null,
    })),
  }));
}

/** `2 deprecated APIs still called: /apis/x/v1beta1/y (helm/3.12: 42 requests in 30 days), ...`, or ''. */
function callsNote(i: Insight): string {
  const details = i.categorySpecificSummary?.deprecationDetails ?? [];
  if (details.length === 0) return '';
  const first = details[0]!;
  const requests = (first.clientStats ?? []).reduce((n, c) => n + (c.numberOfRequestsLast30Days ?? 0), 0);
  const agents = (first.clientStats ?? []).map((c) => c.userAgent).filter(Boolean);
  const who = agents.length > 0 ? ` by ${agents.slice(0, 2).join(', ')}${agents.length > 2 ? ', ...' : ''}` : '';
  const stop = first.stopServingVersion ? `, removed in ${first.stopServingVersion}` : '';
  const more = details.length > 1 ? ` and ${details.length - 1} more` : '';
  return ` ${details.length} deprecated API${details.length > 1 ? 's' : ''} still called: ${first.usage}${stop} (${requests} requests in 30 days${who})${more}.`;
}

export interface InsightScope {
  /** What the check is about, for messages: `upgrade insights`. */
  label: string;
  /** Which insight categories this check judges. */
  covers(category: string | undefined): boolean;
  /** Severity of a FAIL for an insight in ERROR and in WARNING. */
  severity: { ERROR: Severity; WARNING: Severity };
}

/**
 * One result per insight that is not PASSING (resource id: the insight), FAIL for ERROR and WARNING with EKS's
 * recommendation and the deprecated calls as evidence; ERROR for UNKNOWN (EKS could not tell: never a PASS) and for an
 * insight without its DescribeInsight detail. Only when none is left, one PASS for the cluster.
 */
export function insightResults(s: EksClusterSnapshot, scope: InsightScope): CheckResult[] {
  if (!s.cluster) return [missingField(s, 'cluster', scope.label)];
  if (!s.insights)
    return [clusterResult(s, 'ERROR', `Cannot evaluate ${scope.label}: EKS insights were not collected`, {})];
  const inScope = s.insights.summaries.filter((i) => scope.covers(i.category));
  const open = inScope.filter((i) => i.insightStatus?.status !== 'PASSING');
  if (open.length === 0) {
    const message =
      inScope.length === 0
        ? `EKS reports no ${scope.label} for this cluster`
        : `All ${inScope.length} ${scope.label} EKS ran on this cluster are PASSING`;
    return [
      clusterResult(s, 'PASS', message, {
        insights: inScope.map((i) => ({ id: i.id ?? null, name: i.name ?? null, status: 'PASSING' })),
      }),
    ];
  }
  return open.map((summary) => insightResult(s, scope, summary));
}

function insightResult(s: EksClusterSnapshot, scope: InsightScope, summary: InsightSummary): CheckResult {
  const id = summary.id ?? '';
  const resourceId = insightResourceId(s, id);
  const detail = s.insights?.details[id];
  const name = oneLine(summary.name) || id;
  const status = detail?.insightStatus?.status ?? summary.insightStatus?.status;
  const insight = {
    id,
    name,
    category: summary.category ?? null,
    kubernetesVersion: summary.kubernetesVersion ?? null,
    status: status ?? null,
    reason: oneLine(detail?.insightStatus?.reason ?? summary.insightStatus?.reason) || null,
    lastRefreshTime: iso(detail?.lastRefreshTime ?? summary.lastRefreshTime) ?? null,
  };
  const version = insight.kubernetesVersion ? ` (Kubernetes ${insight.kubernetesVersion})` : '';
  if (!detail)
    return {
      status: 'ERROR',
      resourceId,
      message: `Cannot evaluate insight ${name}${version}: its DescribeInsight detail was not collected`,
      evidence: { insight },
    };
  const evidence = {
    insight,
    recommendation: oneLine(detail.recommendation) || null,
    deprecatedApiCalls: deprecatedCalls(detail),
    addonCompatibility: (detail.categorySpecificSummary?.addonCompatibilityDetails ?? []).map((a) => ({
      name: a.name ?? null,
      compatibleVersions: a.compatibleVersions ?? [],
    })),
    resources: (detail.resources ?? []).slice(0, MAX_LISTED).map((r) => ({
      kubernetesResourceUri: r.kubernetesResourceUri ?? null,
      arn: r.arn ?? null,
      status: r.insightStatus?.status ?? null,
      reason: oneLine(r.insightStatus?.reason) || null,
    })),
    resourcesTotal: detail.resources?.length ?? 0,
    additionalInfo: detail.additionalInfo ?? {},
  };
  const reason = insight.reason ? `: ${insight.reason.replace(/\.+$/, '')}` : '';
  if (status === 'ERROR' || status === 'WARNING') {
    const recommendation = evidence.recommendation ? ` Recommendation: ${evidence.recommendation}` : '';
    return {
      status: 'FAIL',
      resourceId,
      message: `EKS insight ${name}${version} is ${status}${reason}.${callsNote(detail)}${recommendation}`,
      evidence,
      severity: scope.severity[status],
    };
  }
  // UNKNOWN (EKS could not determine it) or a status this version does not know: not known to pass.
  return {
    status: 'ERROR',
    resourceId,
    message: `EKS could not determine insight ${name}${version} (status ${status ?? 'missing'}${reason})`,
    evidence,
  };
}
