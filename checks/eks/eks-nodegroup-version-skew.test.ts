import { describe } from 'vitest';
import { aNodegroup } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-nodegroup-version-skew.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const nodes = (version: string, cluster = '1.34') => ({
  cluster: { version: cluster },
  nodegroups: [aNodegroup({ version })],
});

const cases: CheckCase[] = [
  {
    name: 'passes nodes on the control plane version',
    overrides: nodes('1.34'),
    status: 'PASS',
    says: ['runs Kubernetes 1.34, like the control plane'],
    resourceId: ngArn,
  },
  {
    name: 'fails any skew at low severity, with the supported maximum',
    overrides: nodes('1.33'),
    status: 'FAIL',
    severity: 'low',
    says: ['1 minor version behind the control plane (1.34; supported up to 3)'],
    resourceId: ngArn,
  },
  {
    name: 'fails skew beyond what upstream supports at high severity',
    overrides: nodes('1.30'),
    status: 'FAIL',
    severity: 'high',
    says: ['4 minor versions behind the control plane (1.34): beyond the supported skew of 3'],
    resourceId: ngArn,
  },
  {
    name: 'allows only two minor versions of skew before Kubernetes 1.28',
    overrides: nodes('1.24', '1.27'),
    status: 'FAIL',
    severity: 'high',
    says: ['beyond the supported skew of 2'],
    resourceId: ngArn,
  },
  {
    name: 'fails nodes newer than the control plane as unsupported',
    overrides: nodes('1.35'),
    status: 'FAIL',
    severity: 'high',
    says: ['newer than the control plane (1.34): unsupported'],
    resourceId: ngArn,
  },
  {
    name: 'says NOT_APPLICABLE, not PASS, when the node group reports no version',
    overrides: { nodegroups: [aNodegroup({ version: undefined })] },
    status: 'NOT_APPLICABLE',
    says: ['reports no comparable version'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.4 eks-nodegroup-version-skew', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeNodegroup');
  itErrorsOnGap(check, 'eks:DescribeCluster');
});
