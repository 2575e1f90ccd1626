import { defineCheck } from '../../core/check.ts';
import { INSIGHT_NEEDS, INSIGHT_READS, insightResults } from './lib/insights.ts';

export default defineCheck({
  id: 'EKS.NODES.7',
  slug: 'eks-configuration-insights-passing',
  title: 'EKS configuration insights report no misconfiguration of the cluster or its hybrid nodes',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'nodes',
  needs: ['eks:DescribeCluster', ...INSIGHT_NEEDS],
  reads: INSIGHT_READS,
  frameworks: {},
  risk: 'EKS configuration insights (category MISCONFIGURATION) flag settings that keep nodes or workloads from working as intended, such as EKS Hybrid Nodes whose remote node or pod networks are not routable from the control plane: webhooks, logs and exec to those nodes fail, and fixes are applied blind.',
  remediation: {
    text: "Follow the insight's recommendation (the evidence lists the resources EKS names), then let EKS refresh the insights.",
    cli: 'aws eks describe-insight --cluster-name <cluster> --id <insight-id>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-insights.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-troubleshooting.html',
  ],
  severityRationale:
    'Medium for ERROR, low for WARNING: a broken configuration degrades nodes and operations, it does not by itself expose the cluster. UNKNOWN is ERROR, never a PASS.',
  evaluate(s) {
    return insightResults(s, {
      label: 'configuration insights',
      covers: (category) => category === 'MISCONFIGURATION',
      severity: { ERROR: 'medium', WARNING: 'low' },
    });
  },
});
