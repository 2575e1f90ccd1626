import type { RoleDefinition } from '@azure/arm-authorization';
import { describe, expect, it } from 'vitest';
import type { AccessPath } from '../../core/access-paths.ts';
import { runCheck } from '../../core/engine.ts';
import { aContext } from '../eks/builders.ts';
import { appliesTo, roleGrants } from './admin-paths.ts';
import check from './aks-cluster-admin-principals.ts';
import { anAksCluster, aRoleAssignment, roleAssignmentsOf, TEST_ROLES, TEST_SUBSCRIPTION } from './builders.ts';

const SUB = `/subscriptions/${TEST_SUBSCRIPTION}`;
const CLUSTER = `${SUB}/resourcegroups/rg-payments/providers/Microsoft.ContainerService/managedClusters/payments-aks`;
const P = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const custom = (name: string, p: Partial<NonNullable<RoleDefinition['permissions']>[number]>): RoleDefinition => ({
  id: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${name}`,
  name,
  roleName: name,
  permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p }],
});

function evaluate(assignments: Parameters<typeof roleAssignmentsOf>[0], extra: RoleDefinition[] = [], cluster = {}) {
  const [r] = check.evaluate(
    anAksCluster({ roleAssignments: roleAssignmentsOf(assignments, extra), cluster }),
    aContext(),
  );
  const paths = (r?.evidence?.accessPaths ?? []) as AccessPath[];
  return {
    r: r!,
    paths,
    actions: (who: string) => paths.filter((p) => p.subject === who).map((p) => p.hops[0]!.action),
  };
}

describe('roleGrants: Actions minus NotActions, wildcards, case-insensitive', () => {
  it.each([
    ['Owner', 'Microsoft.Authorization/roleAssignments/write', false, true],
    ['Contributor', 'Microsoft.ContainerService/managedClusters/write', false, true],
    ['Contributor', 'Microsoft.Authorization/roleAssignments/write', false, false],
    ['Reader', 'Microsoft.ContainerService/managedClusters/write', false, false],
    ['Reader', 'Microsoft.ContainerService/managedClusters/read', false, true],
    ['User Access Administrator', 'microsoft.authorization/ROLEASSIGNMENTS/write', false, true],
    // Actions `*` never covers data actions.
    [
      'Owner',
      'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
      true,
      false,
    ],
    [
      'Azure Kubernetes Service RBAC Cluster Admin',
      'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
      true,
      true,
    ],
  ])('%s grants %s (data: %s): %s', (role, action, data, expected) => {
    expect(roleGrants(TEST_ROLES[role]!, action, data)).toBe(expected);
  });

  it('a NotDataActions entry removes the grant', () => {
    const role = custom('almost-admin', {
      dataActions: ['Microsoft.ContainerService/managedClusters/*'],
      notDataActions: ['Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/*'],
    });
    expect(
      roleGrants(
        role,
        'Microsoft.ContainerService/managedClusters/rbac.authorization.k8s.io/clusterrolebindings/write',
        true,
      ),
    ).toBe(false);
  });
});

describe('appliesTo: the cluster and every scope above it, not below', () => {
  it.each([
    [SUB, true],
    [`${SUB}/resourceGroups/RG-PAYMENTS`, true],
    [CLUSTER, true],
    ['/providers/Microsoft.Management/managementGroups/root', true],
    ['/', true],
    [`${CLUSTER}/namespaces/team-a`, false],
    [`${SUB}/resourceGroups/rg-pay`, false],
    ['/subscriptions/other', false],
  ])('%s: %s', (scope, expected) => expect(appliesTo(scope, CLUSTER)).toBe(expected));
});

describe('AKS.ACCESS.5 aks-cluster-admin-principals', () => {
  it('lists each path hop by hop, with the role assignment, the action and the scope', () => {
    const { r, paths, actions } = evaluate([
      aRoleAssignment('Owner', P(1), SUB),
      aRoleAssignment('Contributor', P(2), `${SUB}/resourceGroups/rg-payments`),
      aRoleAssignment('User Access Administrator', P(3), SUB),
      aRoleAssignment('Azure Kubernetes Service RBAC Cluster Admin', P(4), CLUSTER, { principalType: 'Group' }),
      aRoleAssignment('Azure Kubernetes Service Cluster Admin Role', P(5), CLUSTER),
      aRoleAssignment('Reader', P(6), SUB),
    ]);
    expect(r.status).toBe('PASS');
    expect(r.message).toContain('5 principal(s)');
    expect(paths.map((p) => p.subject)).not.toContain(P(6));
    expect(actions(P(1))).toEqual([
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
      'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
      'Microsoft.ContainerService/managedClusters/write',
      'Microsoft.Authorization/roleAssignments/write',
    ]);
    expect(actions(P(2))).not.toContain('Microsoft.Authorization/roleAssignments/write');
    expect(actions(P(3))).toEqual(['Microsoft.Authorization/roleAssignments/write']);
    const rbac = paths.find((p) => p.subject === P(4))!;
    expect(rbac).toMatchObject({ subjectKind: 'azure-group', reaches: 'cluster-admin', conditions: [] });
    expect(rbac.hops[0]).toMatchObject({
      principal: P(4),
      via: expect.stringContaining('Azure Kubernetes Service RBAC Cluster Admin (role assignment'),
      resource: CLUSTER,
    });
    expect(rbac.hops[1]!.resource).toBe(CLUSTER);
  });

  it('keeps listClusterAdminCredential with local accounts disabled, as conditional on that setting', () => {
    const on = evaluate([aRoleAssignment('Azure Kubernetes Service Cluster Admin Role', P(1), CLUSTER)], [], {
      disableLocalAccounts: false,
    });
    expect(on.paths[0]!.conditions).toEqual([]);
    const off = evaluate([aRoleAssignment('Azure Kubernetes Service Cluster Admin Role', P(1), CLUSTER)], [], {
      disableLocalAccounts: true,
    });
    expect(off.paths[0]!.conditions).toEqual([expect.stringContaining('disableLocalAccounts is true')]);
    expect(off.r.message).toContain('only under a condition');
  });

  it('marks Kubernetes data actions conditional when Azure RBAC for Kubernetes is off', () => {
    const { paths } = evaluate([aRoleAssignment('Azure Kubernetes Service RBAC Cluster Admin', P(1), CLUSTER)], [], {
      aadProfile: { enableAzureRbac: false },
    });
    expect(paths[0]!.conditions).toEqual([expect.stringContaining('enableAzureRbac is not true')]);
  });

  it('reports an assignment condition, never drops it', () => {
    const { paths } = evaluate([aRoleAssignment('Owner', P(1), SUB, { condition: "@Resource[x] StringEquals 'y'" })]);
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p.conditions).toContain("role assignment condition: @Resource[x] StringEquals 'y'");
  });

  it('reads a custom role with a wildcard action', () => {
    const role = custom('aks-operator', { actions: ['Microsoft.ContainerService/*'] });
    const { actions } = evaluate([aRoleAssignment(role, P(1), SUB)], [role]);
    expect(actions(P(1))).toContain('Microsoft.ContainerService/managedClusters/write');
  });

  it(`fails above the threshold, counting conditional principals too`, () => {
    const owners = Array.from({ length: 11 }, (_, i) =>
      aRoleAssignment('Owner', P(i + 1), SUB, i === 0 ? { condition: 'c' } : {}),
    );
    const { r } = evaluate(owners);
    expect(r.status).toBe('FAIL');
    expect(r.message).toMatch(/^11 principal\(s\) \(1 only under a condition\).*more than 10:.* and 6 more$/);
  });

  it('never passes when a referenced role definition is missing, or when nothing was collected', () => {
    const a = aRoleAssignment('Owner', P(1), SUB, {
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/gone`,
    });
    expect(evaluate([a]).r.status).toBe('ERROR');
    const [r] = check.evaluate(anAksCluster({ roleAssignments: undefined }), aContext());
    expect(r?.status).toBe('ERROR');
  });

  it('is ERROR through the engine, naming the need, when role assignments could not be read', () => {
    const s = anAksCluster({
      roleAssignments: undefined,
      gaps: [
        { need: 'authorization:ListRoleAssignments', code: 'AccessDenied', error: 'AccessDenied: AuthorizationFailed' },
      ],
    });
    const [f] = runCheck(check, s, aContext());
    expect(f).toMatchObject({ status: 'ERROR' });
    expect(f?.message).toContain('authorization:ListRoleAssignments: AccessDenied');
  });
});
