import { defineCheck } from '../../core/check.ts';
import { eachNodegroup, ngName, nodegroupResult } from './lib/nodes.ts';

export default defineCheck({
  id: 'EKS.NODES.5',
  slug: 'eks-nodegroup-ssh-restricted',
  title: 'EKS managed node groups do not allow SSH from the internet',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'nodes',
  needs: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup'],
  reads: ['eks:DescribeNodegroup nodegroup.remoteAccess.{ec2SshKey,sourceSecurityGroups}'],
  frameworks: {},
  risk: 'With remoteAccess.ec2SshKey set and no sourceSecurityGroups, EKS opens port 22 on every node to 0.0.0.0/0. Nodes hold the node IAM role credentials and every pod secret scheduled on them, so SSH brute force or a leaked key gives both. Even restricted SSH is a standing, key-based path around IAM and audit logging.',
  remediation: {
    text: 'Recreate the node group without remoteAccess (it cannot be changed in place), and use AWS Systems Manager Session Manager for node access: IAM-authorized and logged. If SSH must stay, limit it to named security groups.',
    cli: 'aws eks create-nodegroup --cluster-name <cluster> --nodegroup-name <name> --node-role <role-arn> --subnets <subnet-ids>',
    url: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_RemoteAccessConfig.html',
    'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html',
  ],
  severityRationale:
    'High when port 22 is open to the internet (direct remote access to nodes); low when limited to security groups, where the remaining concern is key management and auditability.',
  evaluate(s) {
    return eachNodegroup(s, 'SSH access', (ng) => {
      const ra = ng.remoteAccess;
      const groups = ra?.sourceSecurityGroups ?? [];
      const evidence = { ec2SshKey: ra?.ec2SshKey, sourceSecurityGroups: groups };
      if (!ra?.ec2SshKey)
        return nodegroupResult(
          s,
          ng,
          'PASS',
          `Node group ${ngName(ng)} has no SSH key (remoteAccess not configured)`,
          evidence,
        );
      if (groups.length === 0)
        return nodegroupResult(
          s,
          ng,
          'FAIL',
          `Node group ${ngName(ng)} allows SSH with key ${ra.ec2SshKey} and no sourceSecurityGroups: port 22 is open to 0.0.0.0/0`,
          evidence,
          'high',
        );
      return nodegroupResult(
        s,
        ng,
        'FAIL',
        `Node group ${ngName(ng)} allows SSH with key ${ra.ec2SshKey} from ${groups.join(', ')}: prefer SSM Session Manager`,
        evidence,
        'low',
      );
    });
  },
});
