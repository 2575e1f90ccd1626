import { defineCheck } from '../../core/check.ts';
import { countResult, MAX_CLUSTER_ADMIN_PRINCIPALS } from '../lib/cluster-admin.ts';
import { GKE_PATH_LIMITS, gkeAdminPaths } from './admin-paths.ts';
import { clusterResult } from './lib.ts';

export default defineCheck({
  id: 'GKE.ACCESS.3',
  slug: 'gke-cluster-admin-principals',
  title: 'Few principals can become GKE cluster-admin through project IAM',
  provider: 'gcp',
  service: 'gke',
  severity: 'medium',
  category: 'access',
  needs: ['gke:ListClusters', 'crm:GetIamPolicy', 'gcp-iam:GetRole'],
  frameworks: {},
  reads: ['projectIam.policy.bindings', 'projectIam.customRoles', 'projectIam.unresolvedRoles'],
  risk: 'In GKE, IAM authorizes Kubernetes API calls beside RBAC: every member bound to roles/owner, roles/editor, roles/container.admin, roles/container.clusterAdmin, a role that can set the project IAM policy, or a custom role with container.clusters.update or container.clusterRoleBindings.create can make itself cluster-admin. The default Compute Engine service account holds roles/editor in new projects.',
  remediation: {
    text: 'Remove basic roles (owner, editor) from people and default service accounts, grant roles/container.developer or namespace RBAC instead of container.admin, and time-bound admin grants with IAM conditions.',
    cli: 'gcloud projects get-iam-policy <project> --format=json',
    url: 'https://cloud.google.com/kubernetes-engine/docs/how-to/iam',
  },
  references: [
    'https://cloud.google.com/kubernetes-engine/docs/how-to/iam',
    'https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa',
  ],
  severityRationale: `Medium: each path is a legitimate grant, but more than ${MAX_CLUSTER_ADMIN_PRINCIPALS} ways to own the cluster is more than anyone reviews.`,
  evaluate(s) {
    const found = gkeAdminPaths(s);
    if (!found) return [clusterResult(s, 'ERROR', 'The project IAM policy was not collected')];
    return [
      countResult(s, found.paths, {
        noun: 'member(s)',
        through: 'through project IAM',
        none: 'No project IAM binding leads to cluster-admin',
        ...(found.unresolved.length
          ? {
              unresolved: `Roles whose permissions could not be read are bound in the project (${found.unresolved.map((u) => `${u.role}: ${u.error}`).join('; ')}): the list of who can become cluster-admin is incomplete`,
            }
          : {}),
        evidence: {
          limits: GKE_PATH_LIMITS,
          ...(found.unresolved.length ? { unresolvedRoles: found.unresolved } : {}),
        },
      }),
    ];
  },
});
