import { describe } from 'vitest';
import { aNodegroup } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-nodegroup-ssh-restricted.ts';

const ngArn = (s: { nodegroups: { nodegroupArn?: string }[] }) => s.nodegroups[0]!.nodegroupArn!;
const ssh = (remoteAccess: { ec2SshKey?: string; sourceSecurityGroups?: string[] }) => ({
  nodegroups: [aNodegroup({ remoteAccess })],
});

const cases: CheckCase[] = [
  {
    name: 'passes a node group without remote access',
    overrides: {},
    status: 'PASS',
    says: ['has no SSH key'],
    resourceId: ngArn,
  },
  {
    name: 'fails SSH with a key and no source security groups as open to the world, at high severity',
    overrides: ssh({ ec2SshKey: 'ops-key' }),
    status: 'FAIL',
    severity: 'high',
    says: ['allows SSH with key ops-key and no sourceSecurityGroups: port 22 is open to 0.0.0.0/0'],
    resourceId: ngArn,
  },
  {
    name: 'treats an empty security group list like none',
    overrides: ssh({ ec2SshKey: 'ops-key', sourceSecurityGroups: [] }),
    status: 'FAIL',
    severity: 'high',
    says: ['open to 0.0.0.0/0'],
    resourceId: ngArn,
  },
  {
    name: 'fails SSH restricted to security groups at low severity, suggesting Session Manager',
    overrides: ssh({ ec2SshKey: 'ops-key', sourceSecurityGroups: ['sg-0123456789abcdef0'] }),
    status: 'FAIL',
    severity: 'low',
    says: ['from sg-0123456789abcdef0: prefer SSM Session Manager'],
    resourceId: ngArn,
  },
];

describe('EKS.NODES.5 eks-nodegroup-ssh-restricted', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeNodegroup');
});
