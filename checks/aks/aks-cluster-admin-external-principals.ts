import { defineCheck } from '../../core/check.ts';
import { nameList, principalsOf } from '../lib/cluster-admin.ts';
import { aksAdminPaths } from './admin-paths.ts';
import { AKS_PATH_LIMITS } from './aks-cluster-admin-principals.ts';
import { clusterResult } from './lib.ts';

/** What this check cannot see from role assignments alone. */
const NOT_TOLD_APART =
  'guest (B2B) users and multi-tenant applications appear as User and ServicePrincipal: telling them apart needs Microsoft Graph, which is not read';

export default defineCheck({
  id: 'AKS.ACCESS.6',
  slug: 'aks-cluster-admin-external-principals',
  title: 'No principal of another Entra tenant can become AKS cluster-admin',
  provider: 'azure',
  service: 'aks',
  severity: 'high',
  category: 'access',
  needs: ['aks:ListManagedClusters', 'authorization:ListRoleAssignments', 'authorization:GetRoleDefinition'],
  frameworks: {},
  reads: ['roleAssignments.assignments[].principalType', 'roleAssignments.roleDefinitions'],
  risk: 'A group of another tenant (principalType ForeignGroup) that can become cluster-admin puts the cluster in the hands of an organization whose joiners, leavers and sign-in policies you do not control.',
  remediation: {
    text: 'Remove the cross-tenant assignment, or narrow it to a role without a path to cluster-admin (Azure Kubernetes Service RBAC Reader, Cluster User) at the cluster scope.',
    cli: 'az role assignment delete --assignee <principal-id> --scope <scope> --role <role>',
    url: 'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-external-users',
  },
  references: ['https://learn.microsoft.com/azure/role-based-access-control/role-assignments-external-users'],
  severityRationale: 'High: cluster takeover by identities another organization manages.',
  evaluate(s) {
    const found = aksAdminPaths(s);
    if (!found) return [clusterResult(s, 'ERROR', 'The role assignments that apply to the cluster were not collected')];
    const paths = found.paths.filter((p) => found.foreign.has(p.subject));
    const principals = principalsOf(paths);
    const evidence = {
      accessPaths: paths,
      principals,
      limits: [NOT_TOLD_APART, ...AKS_PATH_LIMITS],
      ...(found.unresolved.length ? { unresolvedRoleDefinitions: found.unresolved } : {}),
    };
    if (principals.length > 0)
      return [
        clusterResult(
          s,
          'FAIL',
          `${principals.length} principal(s) of another tenant can become cluster-admin: ${nameList(principals)}`,
          evidence,
        ),
      ];
    if (found.unresolved.length > 0)
      return [
        clusterResult(
          s,
          'ERROR',
          `Role definitions missing for ${found.unresolved.length} assignment(s): cannot tell who can become cluster-admin`,
          evidence,
        ),
      ];
    return [
      clusterResult(
        s,
        'PASS',
        'No foreign-tenant group can become cluster-admin (guest users are not told apart: needs Microsoft Graph)',
        evidence,
      ),
    ];
  },
});
