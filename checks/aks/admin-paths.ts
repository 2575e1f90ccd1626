import type { Permission, RoleAssignment, RoleDefinition } from '@azure/arm-authorization';
import type { AccessPath } from '../../core/access-paths.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { wildcardMatch } from '../lib/cluster-admin.ts';
import { memoizeByObject } from '../lib/memo.ts';

/**
 * Who can become cluster-admin of an AKS cluster through Azure RBAC (issue 13): for every role assignment at the cluster
 * or above it, the actions of its role that lead to cluster-admin. Pure: reads only the snapshot.
 */

interface Target {
  action: string;
  data: boolean;
  /** What holding the action does, for the path. */
  how: string;
  /** A cluster setting that makes the action give nothing today: a condition of the path, never a reason to drop it. */
  inert?(s: AksClusterSnapshot): string | undefined;
}

const localAccountsOff = (s: AksClusterSnapshot) =>
  s.cluster.disableLocalAccounts === true
    ? 'cluster: disableLocalAccounts is true (AKS refuses the admin credential while it stays true)'
    : undefined;

export const AKS_ADMIN_TARGETS: readonly Target[] = [
  {
    action: 'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
    data: false,
    how: 'downloads the cluster-admin kubeconfig',
    inert: localAccountsOff,
  },
  {
    action: 'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
    data: false,
    how: 'reads the clusterAdmin access profile (legacy API)',
    inert: localAccountsOff,
  },
  {
    action: 'Microsoft.ContainerService/managedClusters/write',
    data: false,
    how: 'reconfigures the cluster: enables local accounts, changes the Entra admin groups, turns Azure RBAC off',
  },
  {
    action: 'Microsoft.Authorization/roleAssignments/write',
    data: false,
    how: 'assigns itself any role at the scope, Azure Kubernetes Service RBAC Cluster Admin included',
  },
  {
    action: 'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
    data: true,
    how: 'binds itself to cluster-admin through the Kubernetes API (Azure RBAC for Kubernetes)',
    inert: (s) =>
      s.cluster.aadProfile?.enableAzureRbac === true
        ? undefined
        : 'cluster: aadProfile.enableAzureRbac is not true (Kubernetes data actions grant nothing while it stays so)',
  },
];

/** Actions minus NotActions (or the data lists), per permission block, any block granting. */
export function roleGrants(role: RoleDefinition, action: string, data: boolean): boolean {
  return (role.permissions ?? []).some((p: Permission) => {
    const allow = (data ? p.dataActions : p.actions) ?? [];
    const deny = (data ? p.notDataActions : p.notActions) ?? [];
    return allow.some((a) => wildcardMatch(a, action)) && !deny.some((a) => wildcardMatch(a, action));
  });
}

/** `scope` is `target` or above it, segment-wise; management groups and the root are above every subscription. */
export function appliesTo(scope: string, target: string): boolean {
  const a = scope.toLowerCase().replace(/\/+$/, '');
  const b = target.toLowerCase();
  return (
    a === '' || a.startsWith('/providers/microsoft.management/managementgroups/') || b === a || b.startsWith(`${a}/`)
  );
}

export interface AksAdminPaths {
  paths: AccessPath[];
  /** Assignments whose role definition is missing from the snapshot: the list is incomplete without them. */
  unresolved: string[];
  /** Foreign-tenant principals (principalType ForeignGroup), by id. */
  foreign: Set<string>;
}

/** Once per snapshot: two checks read the same paths (read-only, shared in their evidence). */
export const aksAdminPaths = memoizeByObject(computeAksAdminPaths);

function computeAksAdminPaths(s: AksClusterSnapshot): AksAdminPaths | undefined {
  const ra = s.roleAssignments;
  if (!ra) return undefined;
  const paths: AccessPath[] = [];
  const unresolved: string[] = [];
  const foreign = new Set<string>();
  for (const a of ra.assignments) {
    const scope = a.scope ?? '';
    // The API was asked for atScope(): anything below the cluster (a namespace) is not cluster-wide, so not admin.
    if (!appliesTo(scope, s.id)) continue;
    const role = ra.roleDefinitions[(a.roleDefinitionId ?? '').toLowerCase()];
    if (!role) {
      unresolved.push(a.roleDefinitionId ?? a.name ?? '(unnamed)');
      continue;
    }
    for (const t of AKS_ADMIN_TARGETS) {
      if (!roleGrants(role, t.action, t.data)) continue;
      paths.push(pathOf(s, a, role, t));
      if (a.principalType === 'ForeignGroup') foreign.add(a.principalId ?? '');
    }
  }
  return { paths, unresolved, foreign };
}

function pathOf(s: AksClusterSnapshot, a: RoleAssignment, role: RoleDefinition, t: Target): AccessPath {
  const principal = a.principalId ?? '';
  const conditions = [
    ...(a.condition ? [`role assignment condition: ${a.condition}`] : []),
    ...(t.inert?.(s) ? [t.inert(s)!] : []),
  ];
  return {
    subject: principal,
    subjectKind: `azure-${(a.principalType ?? 'principal').toLowerCase()}`,
    reaches: 'cluster-admin',
    hops: [
      {
        principal,
        via: `${role.roleName ?? role.name} (role assignment ${a.name} at ${a.scope})`,
        action: t.action,
        resource: a.scope ?? '',
      },
      { principal, via: t.how, action: t.action, resource: s.id },
    ],
    conditions,
  };
}
