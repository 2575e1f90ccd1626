import type { AMITypes } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { aContext, aNodegroup, anEksCluster } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-nodegroup-not-al2.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const ami = (amiType: AMITypes, version = '1.32') => ({ nodegroups: [aNodegroup({ amiType, version })] });

const cases: CheckCase[] = [
  {
    name: 'passes an AL2023 node group',
    overrides: {},
    status: 'PASS',
    says: ['uses AL2023_x86_64_STANDARD, not Amazon Linux 2'],
    resourceId: ngArn,
  },
  {
    name: 'passes a Bottlerocket node group',
    overrides: ami('BOTTLEROCKET_ARM_64'),
    status: 'PASS',
    says: ['BOTTLEROCKET_ARM_64'],
    resourceId: ngArn,
  },
  {
    name: 'fails an AL2 node group, with both end-of-support dates',
    overrides: ami('AL2_x86_64', '1.31'),
    status: 'FAIL',
    says: ['uses AL2_x86_64: EKS AL2 AMIs reached end of support on 2025-11-26 and Amazon Linux 2 ends on 2026-06-30'],
    resourceId: ngArn,
  },
  {
    name: 'fails an AL2 GPU node group and notes it cannot follow the cluster past 1.32',
    overrides: ami('AL2_x86_64_GPU', '1.32'),
    status: 'FAIL',
    says: ['AL2_x86_64_GPU', 'cannot follow the cluster past Kubernetes 1.32'],
    resourceId: ngArn,
  },
  {
    name: 'says NOT_APPLICABLE for an EKS Auto Mode cluster without node groups, naming Auto Mode',
    overrides: {
      nodegroups: [],
      cluster: { computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'] } },
    },
    status: 'NOT_APPLICABLE',
    says: ["EKS Auto Mode manages this cluster's nodes (computeConfig.enabled) and their AMIs"],
  },
  {
    name: 'says NOT_APPLICABLE, not PASS, when the node group reports no AMI type',
    overrides: { nodegroups: [aNodegroup({ amiType: undefined })] },
    status: 'NOT_APPLICABLE',
    says: ['reports no amiType'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.1 eks-nodegroup-not-al2', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeNodegroup');

  it('judges each node group separately and has nothing to say without node groups', () => {
    const s = anEksCluster({
      nodegroups: [aNodegroup(), aNodegroup({ nodegroupName: 'legacy', amiType: 'AL2_ARM_64' })],
    });
    expect(check.evaluate(s, aContext()).map((r) => r.status)).toEqual(['PASS', 'FAIL']);
    expect(check.evaluate(anEksCluster({ nodegroups: [] }), aContext())).toEqual([]);
  });
});
