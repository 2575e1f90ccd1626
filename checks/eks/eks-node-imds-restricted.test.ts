import { describe } from 'vitest';
import { withCustomAmi, withSelfManagedNode } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-node-imds-restricted.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const instanceArn = () => 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0';

const cases: CheckCase[] = [
  {
    name: 'passes a launch template that requires IMDSv2 with a hop limit of 1',
    overrides: withCustomAmi({}),
    status: 'PASS',
    says: ['launch template golden-nodes v3): IMDSv2 required, hop limit 1'],
    resourceId: ngArn,
  },
  {
    name: 'fails a launch template allowing IMDSv1 at high severity',
    overrides: withCustomAmi({ metadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 1 } }),
    status: 'FAIL',
    severity: 'high',
    says: ['HttpTokens optional (IMDSv1 allowed)'],
    resourceId: ngArn,
  },
  {
    name: 'fails a hop limit above 1, because pods can then reach the node credentials',
    overrides: withCustomAmi({ metadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } }),
    status: 'FAIL',
    severity: 'medium',
    says: ["hop limit 2 (pods can reach the node's credentials)"],
    resourceId: ngArn,
  },
  {
    name: 'fails a launch template that does not set metadata options, rather than assuming the AMI default',
    overrides: withCustomAmi({ metadataOptions: undefined }),
    status: 'FAIL',
    says: ['HttpTokens not set'],
    resourceId: ngArn,
  },
  {
    name: 'passes a launch template with the metadata endpoint disabled',
    overrides: withCustomAmi({ metadataOptions: { HttpEndpoint: 'disabled' } }),
    status: 'PASS',
    says: ['instance metadata endpoint disabled'],
    resourceId: ngArn,
  },
  {
    name: 'fails a self-managed node allowing IMDSv1, from its own metadata options',
    overrides: withSelfManagedNode({ metadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2 } }),
    status: 'FAIL',
    severity: 'high',
    says: ['Self-managed node i-0123456789abcdef0: HttpTokens optional (IMDSv1 allowed); hop limit 2'],
    resourceId: instanceArn,
  },
  {
    name: 'says NOT_APPLICABLE, not PASS, for a node group on the launch template EKS manages',
    overrides: {},
    status: 'NOT_APPLICABLE',
    says: ['uses the launch template EKS manages; its metadata options are not visible'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.6 eks-node-imds-restricted', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'ec2:DescribeLaunchTemplateVersions');
  itErrorsOnGap(check, 'ec2:DescribeInstances');
});
