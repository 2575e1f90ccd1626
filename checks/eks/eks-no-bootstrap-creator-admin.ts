import { defineCheck } from '../../core/check.ts';
import { authenticationMode } from './lib/access.ts';
import { clusterResult, missingField } from './lib/results.ts';

const WHAT = 'the cluster creator bootstrap permissions';

export default defineCheck({
  id: 'EKS.ACCESS.4',
  slug: 'eks-no-bootstrap-creator-admin',
  title: 'EKS cluster was created without cluster-admin for its creator',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'access',
  needs: ['eks:DescribeCluster'],
  reads: ['eks:DescribeCluster cluster.accessConfig.{bootstrapClusterCreatorAdminPermissions,authenticationMode}'],
  frameworks: {},
  risk: 'With bootstrapClusterCreatorAdminPermissions true, the IAM principal that created the cluster (often a CI role or a person who has since moved on) is made cluster-admin. In CONFIG_MAP mode that grant appears nowhere, neither in aws-auth nor in the EKS API, and cannot be removed; in the API modes it is an access entry that is easy to overlook.',
  remediation: {
    text: "Create clusters with bootstrapClusterCreatorAdminPermissions=false and an explicit access entry for the administrators. The setting cannot be changed after creation: on an existing cluster, move to authenticationMode API and delete the creator's access entry, or recreate the cluster.",
    cli: 'aws eks create-cluster --name <cluster> --access-config authenticationMode=API,bootstrapClusterCreatorAdminPermissions=false ...',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html',
  ],
  severityRationale:
    'Medium: the creator is usually a trusted automation role, but it becomes a standing, easily forgotten cluster-admin; worse in CONFIG_MAP mode, where the grant cannot be seen or revoked.',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', WHAT)];
    const bootstrap = s.cluster.accessConfig?.bootstrapClusterCreatorAdminPermissions;
    if (bootstrap === undefined) {
      return [missingField(s, 'cluster.accessConfig.bootstrapClusterCreatorAdminPermissions', WHAT)];
    }
    const mode = authenticationMode(s);
    const evidence = { bootstrapClusterCreatorAdminPermissions: bootstrap, authenticationMode: mode };
    if (!bootstrap) {
      return [
        clusterResult(
          s,
          'PASS',
          'bootstrapClusterCreatorAdminPermissions is false: the creator got no implicit cluster-admin',
          evidence,
        ),
      ];
    }
    const where =
      mode === 'CONFIG_MAP'
        ? 'in CONFIG_MAP mode that grant is invisible (not in aws-auth, not in the EKS API) and cannot be revoked'
        : 'the grant is an access entry for the creator that stays until someone deletes it';
    return [
      clusterResult(
        s,
        'FAIL',
        `bootstrapClusterCreatorAdminPermissions is true: the cluster's creator holds cluster-admin; ${where}`,
        evidence,
      ),
    ];
  },
});
