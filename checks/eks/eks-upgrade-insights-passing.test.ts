import { describe, expect, it } from 'vitest';
import { aContext, anEksCluster, anInsight, evaluateOnce, insightsOf } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import configuration from './eks-configuration-insights-passing.ts';
import check from './eks-upgrade-insights-passing.ts';
import { DEPRECATED_API_INSIGHT, HYBRID_NODES_INSIGHT, KUBELET_SKEW_INSIGHT } from './fixtures.ts';
import { insightResourceId } from './lib/insights.ts';

const onInsight = (id: string) => (s: { arn: string }) => insightResourceId(s, id);
const unknown = anInsight({ id: 'unknown-0000', name: 'Amazon EKS add-on version compatibility', status: 'UNKNOWN' });

const cases: CheckCase[] = [
  {
    name: 'passes when every upgrade insight EKS ran is PASSING, saying how many',
    overrides: {},
    status: 'PASS',
    says: ['All 2 upgrade insights EKS ran on this cluster are PASSING'],
  },
  {
    name: 'passes when EKS answered and reports no insight at all',
    overrides: { insights: insightsOf() },
    status: 'PASS',
    says: ['EKS reports no upgrade insights for this cluster'],
  },
  {
    name: 'fails a deprecated-API insight in ERROR as high, on the insight, with the calls and the recommendation',
    overrides: { insights: insightsOf(DEPRECATED_API_INSIGHT, anInsight({ name: 'Kubelet version skew' })) },
    status: 'FAIL',
    severity: 'high',
    resourceId: onInsight(DEPRECATED_API_INSIGHT.id!),
    says: [
      'EKS insight Deprecated APIs removed in Kubernetes v1.35 (Kubernetes 1.35) is ERROR',
      '1 deprecated API still called: /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas, removed in 1.35 (42 requests in 30 days by helm/v3.12.0)',
      'Recommendation: Update manifests and API clients',
    ],
  },
  {
    name: 'fails a kubelet-skew insight in WARNING as medium',
    overrides: { insights: insightsOf(KUBELET_SKEW_INSIGHT) },
    status: 'FAIL',
    severity: 'medium',
    resourceId: onInsight(KUBELET_SKEW_INSIGHT.id!),
    says: ['Kubelet version skew (Kubernetes 1.35) is WARNING: Node kubelet versions are more than one minor'],
  },
  {
    name: 'says ERROR, not PASS, for an insight whose status EKS could not determine (UNKNOWN)',
    overrides: { insights: insightsOf(unknown) },
    status: 'ERROR',
    resourceId: onInsight('unknown-0000'),
    says: ['EKS could not determine insight Amazon EKS add-on version compatibility', 'status UNKNOWN'],
  },
  {
    name: 'says ERROR when a non-passing insight has no DescribeInsight detail',
    overrides: { insights: { summaries: insightsOf(KUBELET_SKEW_INSIGHT).summaries, details: {} } },
    status: 'ERROR',
    resourceId: onInsight(KUBELET_SKEW_INSIGHT.id!),
    says: ['its DescribeInsight detail was not collected'],
  },
  {
    name: 'says ERROR when the insights were not collected at all',
    overrides: { insights: undefined },
    status: 'ERROR',
    says: ['EKS insights were not collected'],
  },
  {
    name: 'leaves configuration insights to EKS.NODES.7',
    overrides: { insights: insightsOf(HYBRID_NODES_INSIGHT) },
    status: 'PASS',
    says: ['EKS reports no upgrade insights'],
  },
  {
    name: 'judges a category it does not know (ROLLBACK_READINESS) rather than drop it',
    overrides: {
      insights: insightsOf(
        anInsight({ name: 'Rollback readiness', category: 'ROLLBACK_READINESS' as never, status: 'WARNING' }),
      ),
    },
    status: 'FAIL',
    resourceId: onInsight(anInsight({ name: 'Rollback readiness' }).id!),
    says: ['Rollback readiness'],
  },
];

describe('EKS.VERSIONS.4 eks-upgrade-insights-passing', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);

  it('reports each failing insight on its own resource, and no cluster PASS beside them', () => {
    const s = anEksCluster({
      insights: insightsOf(DEPRECATED_API_INSIGHT, KUBELET_SKEW_INSIGHT, anInsight({ name: 'Cluster health issues' })),
    });
    const results = check.evaluate(s, aContext());
    expect(results.map((r) => [r.status, r.resourceId])).toEqual([
      ['FAIL', insightResourceId(s, DEPRECATED_API_INSIGHT.id!)],
      ['FAIL', insightResourceId(s, KUBELET_SKEW_INSIGHT.id!)],
    ]);
  });

  it('carries the insight, its recommendation and the deprecated API calls as evidence', () => {
    const r = evaluateOnce(check, anEksCluster({ insights: insightsOf(DEPRECATED_API_INSIGHT) }));
    expect(r.evidence).toMatchObject({
      insight: {
        id: DEPRECATED_API_INSIGHT.id,
        name: 'Deprecated APIs removed in Kubernetes v1.35',
        category: 'UPGRADE_READINESS',
        kubernetesVersion: '1.35',
        status: 'ERROR',
      },
      recommendation: expect.stringContaining('Update manifests'),
      deprecatedApiCalls: [
        {
          usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
          replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
          stopServingVersion: '1.35',
          clients: [
            { userAgent: 'helm/v3.12.0', numberOfRequestsLast30Days: 42, lastRequestTime: '2026-05-30T10:00:00.000Z' },
          ],
        },
      ],
    });
  });
});

describe('EKS.NODES.7 eks-configuration-insights-passing', () => {
  itEvaluatesCases(configuration, [
    {
      name: 'passes with no configuration insight',
      overrides: {},
      status: 'PASS',
      says: ['no configuration insights'],
    },
    {
      name: 'fails a hybrid-nodes misconfiguration in ERROR as medium, on the insight',
      overrides: { insights: insightsOf(HYBRID_NODES_INSIGHT, DEPRECATED_API_INSIGHT) },
      status: 'FAIL',
      severity: 'medium',
      resourceId: onInsight(HYBRID_NODES_INSIGHT.id!),
      says: ['Hybrid nodes remote network configuration', 'is ERROR: The remote pod network is not routable'],
    },
  ]);
  itErrorsOnEachGap(configuration);
});
