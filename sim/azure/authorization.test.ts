import { describe, expect, it } from 'vitest';
import { parseFleetSpec } from '../spec.ts';
import { assignmentsForScope, resolveRoleAssignments, resolveRoleDefinitions } from './authorization.ts';

const SUB = '11111111-1111-4111-8111-111111111111';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-web`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/web`;
const roles = resolveRoleDefinitions([
  { name: 'Ops', actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] },
]);
const principal = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

const assignments = resolveRoleAssignments(
  SUB,
  [
    { principalId: principal(1), principalType: 'User', role: 'Owner', scope: 'subscription' },
    { principalId: principal(2), principalType: 'Group', role: 'Reader', scope: 'resourceGroup/rg-web' },
    { principalId: principal(3), principalType: 'User', role: 'Ops', scope: 'cluster/web' },
    { principalId: principal(4), principalType: 'User', role: 'Reader', scope: 'managementGroup/root' },
    { principalId: principal(5), principalType: 'User', role: 'Reader', scope: 'resourceGroup/rg-other' },
  ],
  roles,
  (name) => (name === 'web' ? 'rg-web' : undefined),
);

describe('simulated role assignments', () => {
  it('atScope() lists the assignments at the scope and above it (management groups included), not beside or below', () => {
    const at = (scope: string, filter: string | null) =>
      assignmentsForScope([{ subscriptionId: SUB, assignments }], scope, filter).map((a) => a.assignment.principalId);
    expect(at(CLUSTER, 'atScope()')).toEqual([principal(1), principal(2), principal(3), principal(4)]);
    expect(at(RG, 'atScope()')).toEqual([principal(1), principal(2), principal(4)]);
    // Without the filter, below the scope too (the cluster under the resource group), still not rg-other.
    expect(at(RG, null)).toEqual([principal(1), principal(2), principal(3), principal(4)]);
  });

  it('a subscription without roleAssignments has one Owner; [] has none', () => {
    expect(resolveRoleAssignments(SUB, undefined, roles, () => undefined)).toEqual([
      expect.objectContaining({ scope: `/subscriptions/${SUB}`, roleGuid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635' }),
    ]);
    expect(resolveRoleAssignments(SUB, [], roles, () => undefined)).toEqual([]);
  });

  it('refuses a spec naming an unknown role or a cluster the subscription lacks, naming the field', () => {
    expect(() =>
      parseFleetSpec({
        azure: {
          subscriptions: [
            {
              id: SUB,
              clusters: [{ name: 'web', location: 'westeurope' }],
              roleAssignments: [
                { principalId: principal(1), role: 'Cluster Boss' },
                { principalId: principal(2), role: 'Owner', scope: 'cluster/api' },
              ],
            },
          ],
        },
      }),
    ).toThrow(/roleAssignments\[0\]\.role: Cluster Boss is neither[\s\S]*roleAssignments\[1\]\.scope: no cluster api/);
  });
});
