import { defineCheck } from '../../core/check.ts';
import { eachNodegroup, ngName, nodegroupResult } from './lib/nodes.ts';
import { parseMinor } from './lib/versions.ts';

/**
 * Amazon's own end dates for AL2 (EKS guide, eks-ami-deprecation-faqs): facts about the AMI family
 * that explain the finding, not a version calendar; the finding does not depend on today's date.
 */
const EKS_AL2_AMI_END = '2025-11-26';
const AL2_OS_END = '2026-06-30';

export default defineCheck({
  id: 'EKS.NODES.1',
  slug: 'eks-nodegroup-not-al2',
  title: 'EKS managed node groups do not run Amazon Linux 2 AMIs',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'nodes',
  needs: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup'],
  reads: ['eks:DescribeNodegroup nodegroup.{amiType,version,releaseVersion}'],
  frameworks: {},
  risk: `EKS stopped publishing Amazon Linux 2 AMIs on ${EKS_AL2_AMI_END} (Kubernetes 1.32 is the last version with AL2 AMIs), and Amazon Linux 2 itself reaches end of support on ${AL2_OS_END}. AL2 nodes no longer get kernel, containerd or kubelet fixes from EKS, and they block the cluster's upgrade past 1.32.`,
  remediation: {
    text: 'Create a replacement node group on AL2023 (or Bottlerocket) with the same labels, taints and capacity, move the workloads (cordon and drain), then delete the AL2 node group. Check user data and bootstrap scripts: AL2023 uses nodeadm instead of bootstrap.sh.',
    cli: 'aws eks create-nodegroup --cluster-name <cluster> --nodegroup-name <name>-al2023 --ami-type AL2023_x86_64_STANDARD --node-role <role-arn> --subnets <subnet-ids>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/al2023.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-deprecation-faqs.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html',
    'https://github.com/awslabs/amazon-eks-ami/issues/2545',
  ],
  severityRationale:
    'High: the node OS no longer receives security fixes from EKS, on every node of the group; and the group prevents the cluster from being upgraded.',
  evaluate(s) {
    return eachNodegroup(s, 'AMIs', (ng) => {
      const amiType = ng.amiType;
      const evidence = { amiType, version: ng.version, releaseVersion: ng.releaseVersion };
      if (!amiType)
        return nodegroupResult(s, ng, 'NOT_APPLICABLE', `Node group ${ngName(ng)} reports no amiType`, evidence);
      if (amiType.startsWith('AL2_')) {
        const minor = parseMinor(ng.version);
        const blocked =
          minor && (minor[0] > 1 || minor[1] >= 32) ? '; it cannot follow the cluster past Kubernetes 1.32' : '';
        return nodegroupResult(
          s,
          ng,
          'FAIL',
          `Node group ${ngName(ng)} uses ${amiType}: EKS AL2 AMIs reached end of support on ${EKS_AL2_AMI_END} and Amazon Linux 2 ends on ${AL2_OS_END}${blocked}`,
          evidence,
        );
      }
      return nodegroupResult(s, ng, 'PASS', `Node group ${ngName(ng)} uses ${amiType}, not Amazon Linux 2`, evidence);
    });
  },
});
