import { defineCheck } from '../../core/check.ts';
import { INSIGHT_NEEDS, INSIGHT_READS, insightResults } from './lib/insights.ts';

export default defineCheck({
  id: 'EKS.VERSIONS.4',
  slug: 'eks-upgrade-insights-passing',
  title: 'EKS upgrade insights report nothing that blocks or breaks the next upgrade',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'versions',
  needs: ['eks:DescribeCluster', ...INSIGHT_NEEDS],
  reads: INSIGHT_READS,
  frameworks: {},
  risk: 'EKS checks each cluster against the next Kubernetes version: deprecated APIs that clients still call (they stop being served, and those clients break on upgrade), kubelet and kube-proxy versions too far behind, add-ons with no version for the next release, nodes on Amazon Linux 2 past its end of support. An insight in ERROR or WARNING is an upgrade that will fail or break workloads, which keeps the cluster on an ageing version, and past the end of support EKS upgrades it anyway.',
  remediation: {
    text: "Follow the insight's recommendation: move the clients named in the evidence to the replacement API (the user agent says which tool to update), upgrade node groups and add-ons to versions the next Kubernetes release supports, then let EKS refresh the insights (daily, or `aws eks start-insights-refresh`). Every upgrade insight covers every category except MISCONFIGURATION (EKS.NODES.7).",
    cli: 'aws eks describe-insight --cluster-name <cluster> --id <insight-id>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_ListInsights.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeInsight.html',
    'https://kubernetes.io/docs/reference/using-api/deprecation-guide/',
  ],
  severityRationale:
    'High for an insight in ERROR (EKS expects the upgrade to break something: a removed API still in use, an unsupported skew); medium for WARNING (something to fix before the upgrade, not yet breaking). UNKNOWN is ERROR: EKS could not tell, so nothing is known to pass.',
  evaluate(s) {
    return insightResults(s, {
      label: 'upgrade insights',
      // Everything but configuration insights: a category EKS adds later (ROLLBACK_READINESS) is judged, not dropped.
      covers: (category) => category !== 'MISCONFIGURATION',
      severity: { ERROR: 'high', WARNING: 'medium' },
    });
  },
});
