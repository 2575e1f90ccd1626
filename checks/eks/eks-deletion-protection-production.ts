import { defineCheck } from '../../core/check.ts';
import { clusterResult, missingField } from './lib/results.ts';

export default defineCheck({
  id: 'EKS.HYGIENE.1',
  slug: 'eks-deletion-protection-production',
  title: 'Production EKS clusters have deletion protection on',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'hygiene',
  needs: ['eks:DescribeCluster'],
  reads: ['eks:DescribeCluster cluster.deletionProtection', 'eks:DescribeCluster cluster.tags (what marks production)'],
  frameworks: {},
  risk: 'Deletion protection is off by default. Without it, one DeleteCluster call (a mistaken Terraform plan, a cleanup script in the wrong account, a compromised pipeline role) destroys a production control plane and everything in etcd; there is no undo.',
  remediation: {
    text: 'Turn on deletion protection for clusters tagged as production. Which tags mean production is set in checks.hygiene.productionTags.',
    cli: 'aws eks update-cluster-config --name <cluster> --deletion-protection',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/deletion-protection.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/deletion-protection.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_Cluster.html',
  ],
  severityRationale:
    'Medium: an availability and recovery risk that needs a mistaken or malicious delete to materialize, but with no way back when it does.',
  evaluate(s, ctx) {
    if (!s.cluster) return [missingField(s, 'cluster', 'deletion protection')];
    const wanted = ctx.settings.hygiene.productionTags;
    const tags = s.cluster.tags ?? {};
    const match = Object.entries(tags).find(([k, v]) =>
      (wanted[k] ?? []).some((w) => w.toLowerCase() === v.toLowerCase()),
    );
    const evidence = { deletionProtection: s.cluster.deletionProtection ?? null, productionTags: wanted };
    if (!match) {
      return [
        clusterResult(
          s,
          'NOT_APPLICABLE',
          `Not tagged as production (looked for ${Object.entries(wanted)
            .map(([k, v]) => `${k}=${v.join('|')}`)
            .join(', ')})`,
          evidence,
        ),
      ];
    }
    const tag = `${match[0]}=${match[1]}`;
    if (s.cluster.deletionProtection === true)
      return [
        clusterResult(s, 'PASS', `Production cluster (${tag}) has deletion protection on`, {
          ...evidence,
          matchedTag: tag,
        }),
      ];
    const state = s.cluster.deletionProtection === false ? 'off' : 'not reported (off by default)';
    return [
      clusterResult(s, 'FAIL', `Production cluster (${tag}) has deletion protection ${state}`, {
        ...evidence,
        matchedTag: tag,
      }),
    ];
  },
});
