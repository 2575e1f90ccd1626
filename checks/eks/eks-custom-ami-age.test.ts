import { describe, expect, it } from 'vitest';
import { aContext, anEksCluster, withCustomAmi, withSelfManagedNode } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-custom-ami-age.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const instanceArn = () => 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0';

const cases: CheckCase[] = [
  {
    name: 'passes a launch template AMI younger than the limit, with its id, name and age',
    overrides: withCustomAmi({ ageDays: 30 }),
    status: 'PASS',
    says: ['AMI ami-0abc1234def567890 (golden-eks-node-2026), built 2026-05-02: 30 days old, within the 90-day limit'],
    resourceId: ngArn,
  },
  {
    name: 'fails a launch template AMI older than the limit',
    overrides: withCustomAmi({ ageDays: 200 }),
    status: 'FAIL',
    says: ['launch template golden-nodes v3', 'ami-0abc1234def567890', '200 days old, over the 90-day limit'],
    resourceId: ngArn,
  },
  {
    name: 'follows the configured age limit',
    overrides: withCustomAmi({ ageDays: 45 }),
    settings: { nodes: { customAmiMaxAgeDays: 30 } },
    status: 'FAIL',
    says: ['45 days old, over the 30-day limit'],
    resourceId: ngArn,
  },
  {
    name: 'fails a self-managed node on an old AMI, about the instance',
    overrides: withSelfManagedNode({ ageDays: 400 }),
    status: 'FAIL',
    says: ['Self-managed node i-0123456789abcdef0 uses AMI ami-0fed4321cba098765', '400 days old'],
    resourceId: instanceArn,
  },
  {
    name: 'fails at low severity an AMI DescribeImages no longer returns, since its age is unknown',
    overrides: withCustomAmi({ imageFound: false }),
    status: 'FAIL',
    severity: 'low',
    says: ['which DescribeImages does not return (deregistered or no longer shared)'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.3 eks-custom-ami-age', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'ec2:DescribeImages');
  itErrorsOnGap(check, 'ec2:DescribeLaunchTemplateVersions');
  itErrorsOnGap(check, 'ec2:DescribeInstances');

  it('has nothing to judge for node groups on EKS-optimized AMIs, including launch templates without an AMI', () => {
    expect(check.evaluate(anEksCluster(), aContext())).toEqual([]);
    expect(check.evaluate(anEksCluster(withCustomAmi({ imageId: undefined })), aContext())).toEqual([]);
  });
});
