import { createHash } from 'node:crypto';
import type { Insight } from '@aws-sdk/client-eks';
import * as z from 'zod';

/**
 * The `insights:` of a cluster in the fleet spec: what EKS ListInsights / DescribeInsight answer for it (served by
 * sim/aws/eks-insights.ts). Without the field a cluster gets the insights every EKS cluster has, all PASSING; `[]`
 * means EKS reports none. Kept apart from the routes so sim/spec.ts can import it without the EKS service.
 */

const MINOR = z.string().regex(/^\d+\.\d+$/, 'a Kubernetes minor version like "1.32" (quote it in YAML)');
const STATUS = z.enum(['PASSING', 'WARNING', 'ERROR', 'UNKNOWN']);

export const InsightSpecSchema = z.strictObject({
  /** As EKS names it, e.g. `Deprecated APIs removed in Kubernetes v1.32`. */
  name: z.string().min(3),
  /** ROLLBACK_READINESS is in the EKS docs, not yet in the SDK enum: the sim serves whatever is given. */
  category: z.enum(['UPGRADE_READINESS', 'MISCONFIGURATION', 'ROLLBACK_READINESS']).default('UPGRADE_READINESS'),
  /** Default: the minor version after the cluster's (what an upgrade insight is about). */
  kubernetesVersion: MINOR.optional(),
  status: STATUS.default('PASSING'),
  reason: z.string().optional(),
  description: z.string().optional(),
  recommendation: z.string().optional(),
  /** The resources the insight names (DescribeInsight `resources`). */
  resources: z
    .array(
      z.strictObject({
        kubernetesResourceUri: z.string().optional(),
        arn: z.string().optional(),
        status: STATUS.default('ERROR'),
        reason: z.string().optional(),
      }),
    )
    .default([]),
  /** `categorySpecificSummary.deprecationDetails`: deprecated APIs still called, and by whom. */
  deprecations: z
    .array(
      z.strictObject({
        usage: z.string().min(1),
        replacedWith: z.string().optional(),
        stopServingVersion: MINOR.optional(),
        startServingReplacementVersion: MINOR.optional(),
        clientStats: z
          .array(
            z.strictObject({
              userAgent: z.string().min(1),
              numberOfRequestsLast30Days: z.number().int().min(0),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  /** `categorySpecificSummary.addonCompatibilityDetails`. */
  addonCompatibility: z
    .array(z.strictObject({ name: z.string().min(1), compatibleVersions: z.array(z.string()).default([]) }))
    .default([]),
});

export type InsightSpec = z.output<typeof InsightSpecSchema>;

/** The minor version after `1.31` (`1.32`); the version itself when it is not `<major>.<minor>`. */
function nextMinor(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? `${m[1]}.${Number(m[2]) + 1}` : version;
}

/** The insights every EKS cluster has (the upgrade checks EKS runs on its own), all PASSING. */
function defaultInsights(version: string): InsightSpec[] {
  const next = nextMinor(version);
  const passing = (name: string): InsightSpec =>
    InsightSpecSchema.parse({ name, kubernetesVersion: next, status: 'PASSING' });
  return [
    passing(`Deprecated APIs removed in Kubernetes v${next}`),
    passing('Kubelet version skew'),
    passing('Amazon EKS add-on version compatibility'),
    passing('Cluster health issues'),
  ];
}

function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const REASONS: Record<string, string> = {
  PASSING: 'No issues detected.',
  WARNING: 'Issues that may need attention before the next upgrade were detected.',
  ERROR: 'Issues that will block or break the next upgrade were detected.',
  UNKNOWN: 'Amazon EKS could not determine the status of this insight.',
};

/**
 * The insights of one cluster as DescribeInsight returns them. Ids are deterministic (the same spec gives the same
 * ids, so finding ids are stable), times too (a day after the cluster was created).
 */
export function resolveInsights(
  specs: InsightSpec[] | undefined,
  c: { accountId: string; region: string; name: string; version: string; createdAt: Date },
): Insight[] {
  const refreshed = new Date(c.createdAt.getTime() + 86_400_000);
  return (specs ?? defaultInsights(c.version)).map((i) => {
    const deprecations = i.deprecations.map((d) => ({
      ...d,
      clientStats: d.clientStats.map((s) => ({ ...s, lastRequestTime: refreshed })),
    }));
    return {
      id: uuidOf('insight', c.accountId, c.region, c.name, i.name),
      name: i.name,
      category: i.category as Insight['category'],
      kubernetesVersion: i.kubernetesVersion ?? nextMinor(c.version),
      lastRefreshTime: refreshed,
      lastTransitionTime: refreshed,
      description: i.description ?? `Checks for ${i.name.toLowerCase()} on this cluster.`,
      insightStatus: { status: i.status, reason: i.reason ?? REASONS[i.status] },
      recommendation: i.recommendation ?? (i.status === 'PASSING' ? 'No action required.' : `Resolve: ${i.name}.`),
      additionalInfo: {
        'EKS upgrade insights': 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
      },
      resources: i.resources.map((r) => ({
        ...(r.kubernetesResourceUri ? { kubernetesResourceUri: r.kubernetesResourceUri } : {}),
        ...(r.arn ? { arn: r.arn } : {}),
        insightStatus: { status: r.status, reason: r.reason ?? REASONS[r.status] },
      })),
      categorySpecificSummary: {
        deprecationDetails: deprecations,
        addonCompatibilityDetails: i.addonCompatibility,
      },
    };
  });
}
