import { defineCheck } from '../../core/check.ts';
import type { Severity } from '../../core/severity.ts';
import { NODE_ROLE_BASELINE, nodeRolePaths } from '../lib/iam-paths.ts';
import { shortList } from './lib/access.ts';
import { nodePreamble } from './lib/nodes.ts';
import { IAM_DETAILS, iamUnavailable, pathLine, scpEvidence } from './lib/paths.ts';
import { clusterResult } from './lib/results.ts';

const WHAT = 'node roles that pods can reach';

export default defineCheck({
  id: 'EKS.IDENTITY.7',
  slug: 'eks-node-role-pod-paths',
  title: 'Node roles that pods can reach hold only the EKS worker, CNI and ECR read policies',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'identity',
  needs: [
    'eks:DescribeCluster',
    'eks:ListNodegroups',
    'eks:DescribeNodegroup',
    'ec2:DescribeLaunchTemplateVersions',
    'ec2:DescribeInstances',
    IAM_DETAILS,
  ],
  reads: [
    'DescribeNodegroup.nodegroup.nodeRole / launchTemplate',
    'DescribeLaunchTemplateVersions[].LaunchTemplateData.MetadataOptions',
    'DescribeInstances[].MetadataOptions / IamInstanceProfile',
    'GetAccountAuthorizationDetails.RoleDetailList[].AttachedManagedPolicies / RolePolicyList',
  ],
  frameworks: {},
  risk: `Where pods reach the instance metadata service (IMDSv1 allowed, a hop limit of 2 or more, which EKS's own launch template sets), every pod on the node can take the node role's credentials. A node role needs only ${NODE_ROLE_BASELINE.join(', ')}; anything attached beyond them (S3 access for logs, SSM, admin policies added while debugging) is given to every workload on the node.`,
  remediation: {
    text: 'Move the extra permissions to the workloads that need them (Pod Identity or IRSA roles) and leave the node role with the worker, CNI and ECR read policies; or stop pods reaching IMDS with HttpTokens=required and HttpPutResponseHopLimit=1 in the launch template.',
    cli: 'aws eks describe-nodegroup --cluster-name <cluster> --nodegroup-name <nodegroup> --query nodegroup.nodeRole',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html',
    'https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html',
    'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html',
  ],
  severityRationale:
    'High: every pod on the node holds the extra permissions, so one compromised workload has them; critical when they are admin-equivalent, medium when they add only reads.',
  evaluate(s) {
    const pre = nodePreamble(s, 'IAM role');
    if (pre) return pre;
    const unavailable = iamUnavailable(s, WHAT);
    if (unavailable) return [unavailable];
    const p = nodeRolePaths(s);
    if (!p) return [];
    if (p.reach.length === 0) {
      return [clusterResult(s, 'NOT_APPLICABLE', 'The cluster has no node groups or self-managed nodes')];
    }
    const evidence = {
      accessPaths: p.paths,
      nodes: p.reach,
      extraPolicies: p.extras,
      ...(p.unknown.length > 0 ? { unreadPolicies: p.unknown } : {}),
      ...(p.missingRoles.length > 0 ? { missingRoles: p.missingRoles } : {}),
      ...scpEvidence(s),
    };
    const reachable = p.reach.filter((r) => r.reachable && (r.roleArn || r.instanceProfileArn));
    if (p.extras.length > 0) {
      const levels = p.roles.map((r) => r.level);
      const severity: Severity = levels.includes('admin-equivalent')
        ? 'critical'
        : levels.includes('privilege-escalation')
          ? 'high'
          : levels.includes('data-access')
            ? 'high'
            : 'medium';
      const list = p.extras.map(
        (e) => `${e.roleArn.split('/').at(-1)} (${e.nodes.join(', ')}): ${e.policies.join(', ')}`,
      );
      const powers = p.paths.length > 0 ? `; ${shortList(p.paths.map(pathLine), 2)}` : '';
      return [
        {
          ...clusterResult(
            s,
            'FAIL',
            `Pods reach node roles with more than the node policies: ${shortList(list, 3)}${powers}`,
            evidence,
          ),
          severity,
        },
      ];
    }
    if (p.unknown.length > 0) {
      return [clusterResult(s, 'ERROR', `Cannot evaluate ${WHAT}: ${shortList(p.unknown, 3)}`, evidence)];
    }
    return [
      clusterResult(
        s,
        'PASS',
        reachable.length === 0
          ? `Pods cannot reach any node's instance metadata credentials (${shortList(
              p.reach.map((r) => `${r.node}: ${r.why}`),
              3,
            )})`
          : `Pods reach the credentials of ${reachable.length} node${reachable.length === 1 ? '' : 's'}, whose roles hold only the node policies`,
        evidence,
      ),
    ];
  },
});
