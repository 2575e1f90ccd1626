import {
  type AuthorizationManagementClient,
  getContinuationToken,
  type RoleAssignment,
  type RoleDefinition,
} from '@azure/arm-authorization';
import type { CollectionGap } from '../../core/snapshot.ts';
import type { AksRoleAssignments } from '../../core/snapshot-aks.ts';
import { collectPages } from '../common/pages.ts';
import { successCache } from '../common/success-cache.ts';
import { classifyAzureError, describeAzureError } from './errors.ts';
import { ARM_ROUTES } from './schemas.ts';

/**
 * Issue 13, AKS: the Azure role assignments that apply to a cluster and the role definitions they reference, from which
 * checks/aks/lib/admin-paths.ts works out who can become cluster-admin. Both need only `Microsoft.Authorization/
 * * /read`, which the Reader role holds.
 */

export const ROLE_ASSIGNMENT_NEEDS = {
  roleAssignments: 'authorization:ListRoleAssignments',
  roleDefinitions: 'authorization:GetRoleDefinition',
} as const;

/** Reads role assignments per cluster; role definitions once per scan (by id), kept only when read. */
export function createRoleAssignmentReader(maxPages: number) {
  const cached = successCache<RoleDefinition>();
  const definition = (auth: AuthorizationManagementClient, id: string) =>
    cached(id.toLowerCase(), () => auth.roleDefinitions.getById(relative(id)));

  /**
   * `listForScope(clusterId, atScope())`: the assignments at the cluster and every scope above it (resource group,
   * subscription, management groups, root), not those below it (namespaces). Anything missing makes the whole
   * `undefined` with a gap: a partial list would under-count who can become cluster-admin.
   */
  return async function readRoleAssignments(
    auth: AuthorizationManagementClient,
    clusterId: string,
  ): Promise<{ value: AksRoleAssignments | undefined; gaps: CollectionGap[] }> {
    let assignments: RoleAssignment[];
    try {
      assignments = await collectPages<RoleAssignment[], RoleAssignment>(
        auth.roleAssignments.listForScope(relative(clusterId), { filter: 'atScope()' }).byPage(),
        (page) => page,
        { action: ARM_ROUTES.listRoleAssignments.action, nextToken: getContinuationToken, maxPages },
      );
    } catch (e) {
      return { value: undefined, gaps: [gapOf(ROLE_ASSIGNMENT_NEEDS.roleAssignments, e)] };
    }
    const ids = [...new Set(assignments.map((a) => a.roleDefinitionId ?? '').filter(Boolean))];
    const read = await Promise.all(
      ids.map(async (id): Promise<[string, RoleDefinition | undefined, unknown]> => {
        try {
          return [id, await definition(auth, id), undefined];
        } catch (e) {
          return [id, undefined, e];
        }
      }),
    );
    const failed = read.filter(([, , e]) => e !== undefined);
    if (failed.length > 0) {
      const g = gapOf(ROLE_ASSIGNMENT_NEEDS.roleDefinitions, failed[0]![2]);
      const names = failed.map(([id]) => id.split('/').pop()).join(', ');
      return { value: undefined, gaps: [{ ...g, error: `${g.error} (role definitions: ${names})` }] };
    }
    return {
      value: {
        assignments,
        roleDefinitions: Object.fromEntries(read.map(([id, d]) => [id.toLowerCase(), d!])),
      },
      gaps: [],
    };
  };
}

/**
 * The SDK puts `scope` and `roleId` after a `/` of its own without encoding: a leading slash would make `//subscriptions`,
 * which core-client reads as a host name. ARM ids always start with one, so it is dropped.
 */
const relative = (armId: string) => armId.replace(/^\/+/, '');

function gapOf(need: string, e: unknown): CollectionGap {
  return { need, code: classifyAzureError(e), error: describeAzureError(e) };
}
