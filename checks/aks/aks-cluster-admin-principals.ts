import { defineCheck } from '../../core/check.ts';
import { countResult, MAX_CLUSTER_ADMIN_PRINCIPALS } from '../lib/cluster-admin.ts';
import { aksAdminPaths } from './admin-paths.ts';
import { clusterResult } from './lib.ts';

/** What the list does not cover: shown with every result, so a short list is not read as the whole story. */
export const AKS_PATH_LIMITS = [
  'Entra groups are not expanded: each group counts once, whatever its size',
  'PIM-eligible assignments and deny assignments are not read',
];

export default defineCheck({
  id: 'AKS.ACCESS.5',
  slug: 'aks-cluster-admin-principals',
  title: 'Few principals can become AKS cluster-admin through Azure role assignments',
  provider: 'azure',
  service: 'aks',
  severity: 'medium',
  category: 'access',
  needs: ['aks:ListManagedClusters', 'authorization:ListRoleAssignments', 'authorization:GetRoleDefinition'],
  frameworks: {},
  reads: ['roleAssignments.assignments', 'roleAssignments.roleDefinitions', 'disableLocalAccounts', 'aadProfile'],
  risk: 'Every principal whose role at the cluster, its resource group, subscription or a management group above grants listClusterAdminCredential, managedClusters/write, roleAssignments/write or the Kubernetes cluster-admin data actions can take the cluster over; Owner and Contributor on the subscription quietly hold all of these. A long list is a large, rarely reviewed attack surface.',
  remediation: {
    text: 'Remove broad Owner/Contributor/User Access Administrator assignments above the cluster, grant Kubernetes access with the AKS RBAC roles at the cluster or namespace scope, and make admin roles eligible (PIM) rather than active.',
    cli: 'az role assignment list --scope <cluster-id> --include-inherited --output table',
    url: 'https://learn.microsoft.com/azure/aks/concepts-identity#azure-rbac-for-kubernetes-authorization',
  },
  references: [
    'https://learn.microsoft.com/azure/aks/control-kubeconfig-access',
    'https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers',
  ],
  severityRationale: `Medium: each path is a legitimate grant, but more than ${MAX_CLUSTER_ADMIN_PRINCIPALS} ways to own the cluster is more than anyone reviews.`,
  evaluate(s) {
    const found = aksAdminPaths(s);
    if (!found) return [clusterResult(s, 'ERROR', 'The role assignments that apply to the cluster were not collected')];
    return [
      countResult(s, found.paths, {
        noun: 'principal(s)',
        through: 'through Azure role assignments',
        none: 'No role assignment at or above the cluster leads to cluster-admin',
        ...(found.unresolved.length
          ? {
              unresolved: `Role definitions missing for ${found.unresolved.length} assignment(s): the list of who can become cluster-admin is incomplete`,
            }
          : {}),
        evidence: {
          limits: AKS_PATH_LIMITS,
          ...(found.unresolved.length ? { unresolvedRoleDefinitions: found.unresolved } : {}),
        },
      }),
    ];
  },
});
