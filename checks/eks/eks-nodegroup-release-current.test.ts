import { describe, expect, it } from 'vitest';
import { recommendedReleaseKey } from '../../core/snapshot.ts';
import {
  AL2023_PARAMETER,
  aContext,
  aNodegroup,
  anEksCluster,
  type EksClusterOverrides,
  evaluateOnce,
} from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-nodegroup-release-current.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const refs = anEksCluster().references;
const BR_PARAMETER = '/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_version';

const running = (releaseVersion: string): EksClusterOverrides => ({ nodegroups: [aNodegroup({ releaseVersion })] });
const bottlerocket = (current: string, recommended: string): EksClusterOverrides => ({
  nodegroups: [aNodegroup({ amiType: 'BOTTLEROCKET_x86_64', releaseVersion: current })],
  references: {
    ...refs,
    recommendedReleases: {
      [recommendedReleaseKey('1.34', 'BOTTLEROCKET_x86_64')]: { parameter: BR_PARAMETER, releaseVersion: recommended },
    },
  },
});

const cases: CheckCase[] = [
  {
    name: 'passes a node group on the recommended release',
    overrides: {},
    status: 'PASS',
    says: ['runs the recommended release 1.34.2-20260515'],
    resourceId: ngArn,
  },
  {
    name: 'passes a node group a few days behind, within the grace period',
    overrides: running('1.34.2-20260508'),
    status: 'PASS',
    says: ['7 days behind', 'within the 14-day grace period'],
    resourceId: ngArn,
  },
  {
    name: 'fails at low severity just past the grace period, with days and both build dates',
    overrides: running('1.34.2-20260425'),
    status: 'FAIL',
    severity: 'low',
    says: ['runs 1.34.2-20260425, 20 days behind the recommended 1.34.2-20260515 (built 2026-04-25 vs 2026-05-15)'],
    resourceId: ngArn,
  },
  {
    name: 'fails at medium after 45 days behind',
    overrides: running('1.34.1-20260301'),
    status: 'FAIL',
    severity: 'medium',
    says: ['75 days behind'],
    resourceId: ngArn,
  },
  {
    name: 'fails at high after 90 days behind',
    overrides: running('1.34.0-20251101'),
    status: 'FAIL',
    severity: 'high',
    says: ['195 days behind'],
    resourceId: ngArn,
  },
  {
    name: 'follows configured thresholds',
    overrides: running('1.34.1-20260301'),
    settings: { nodes: { releaseLag: { failAfterDays: 7, mediumAfterDays: 30, highAfterDays: 60 } } },
    status: 'FAIL',
    severity: 'high',
    says: ['75 days behind'],
    resourceId: ngArn,
  },
  {
    name: 'fails a Bottlerocket node group by releases behind',
    overrides: bottlerocket('1.46.0-1a2b3c4d', '1.50.0-4a0b3f71'),
    status: 'FAIL',
    severity: 'high',
    says: ['4 releases behind the recommended 1.50.0-4a0b3f71'],
    resourceId: ngArn,
  },
  {
    name: 'fails a Bottlerocket node group one patch behind at low severity',
    overrides: bottlerocket('1.50.0-1a2b3c4d', '1.50.1-4a0b3f71'),
    status: 'FAIL',
    severity: 'low',
    says: ['1 release behind'],
    resourceId: ngArn,
  },
  {
    name: 'says NOT_APPLICABLE, not PASS, for a custom AMI (no recommended release exists)',
    overrides: { nodegroups: [aNodegroup({ amiType: 'CUSTOM', releaseVersion: 'ami-0abc1234def567890' })] },
    status: 'NOT_APPLICABLE',
    says: ['uses a custom AMI (its age is judged by EKS.NODES.3)'],
    resourceId: ngArn,
  },
  {
    name: 'says NOT_APPLICABLE for a Windows node group, whose recommended release is not read',
    overrides: { nodegroups: [aNodegroup({ amiType: 'WINDOWS_CORE_2022_x86_64', releaseVersion: '1.34-2026.05.13' })] },
    status: 'NOT_APPLICABLE',
    says: ['AMI type WINDOWS_CORE_2022_x86_64, for which kubeposture reads no recommended release'],
    resourceId: ngArn,
  },
  {
    name: 'says NOT_APPLICABLE when AWS publishes no recommended release (AL2 on 1.33)',
    overrides: {
      nodegroups: [aNodegroup({ amiType: 'AL2_x86_64', version: '1.33', releaseVersion: '1.32.3-20251208' })],
      references: {
        ...refs,
        recommendedReleases: {
          [recommendedReleaseKey('1.33', 'AL2_x86_64')]: {
            parameter: '/aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/release_version',
          },
        },
      },
    },
    status: 'NOT_APPLICABLE',
    says: ['AWS publishes no recommended AL2_x86_64 release for Kubernetes 1.33'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.2 eks-nodegroup-release-current', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'ssm:GetParameter');
  itErrorsOnGap(check, 'eks:DescribeNodegroup');

  it('compares with the recommendation for the node group version, not the cluster version', () => {
    const s = anEksCluster({
      nodegroups: [aNodegroup({ version: '1.33', releaseVersion: '1.33.1-20260515' })],
      references: {
        ...refs,
        recommendedReleases: {
          [recommendedReleaseKey('1.33', 'AL2023_x86_64_STANDARD')]: {
            parameter: AL2023_PARAMETER('1.33'),
            releaseVersion: '1.33.1-20260515',
          },
        },
      },
    });
    expect(evaluateOnce(check, s, aContext())).toMatchObject({ status: 'PASS' });
  });
});
