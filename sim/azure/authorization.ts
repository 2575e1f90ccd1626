import * as z from 'zod';
import { guidFrom } from './fleet.ts';

/**
 * Azure RBAC in the simulated ARM (issue 13): role assignments and role definitions as `@azure/arm-authorization`
 * (api 2022-04-01) reads them, from the fleet spec's `azure.roleDefinitions` (custom roles) and each subscription's
 * `roleAssignments`. The built-in roles below carry their real GUIDs and permissions (as of 2025), so a path names the
 * role a reader knows.
 */

export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

const BUILTIN: { name: string; guid: string; permissions: Partial<RolePermissions> }[] = [
  { name: 'Owner', guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', permissions: { actions: ['*'] } },
  {
    name: 'Contributor',
    guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    permissions: {
      actions: ['*'],
      notActions: [
        'Microsoft.Authorization/*/Delete',
        'Microsoft.Authorization/*/Write',
        'Microsoft.Authorization/elevateAccess/Action',
        'Microsoft.Blueprint/blueprintAssignments/write',
        'Microsoft.Blueprint/blueprintAssignments/delete',
        'Microsoft.Compute/galleries/share/action',
        'Microsoft.Purview/consents/write',
        'Microsoft.Purview/consents/delete',
        'Microsoft.Resources/deploymentStacks/manageDenySetting/action',
        'Microsoft.Subscription/cancel/action',
        'Microsoft.Subscription/enable/action',
      ],
    },
  },
  { name: 'Reader', guid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', permissions: { actions: ['*/read'] } },
  {
    name: 'User Access Administrator',
    guid: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    permissions: { actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'] },
  },
  {
    name: 'Azure Kubernetes Service Cluster Admin Role',
    guid: '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
    permissions: {
      actions: [
        'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
        'Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action',
        'Microsoft.ContainerService/managedClusters/read',
        'Microsoft.ContainerService/managedClusters/runcommand/action',
      ],
    },
  },
  {
    name: 'Azure Kubernetes Service Cluster User Role',
    guid: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
    permissions: {
      actions: [
        'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
        'Microsoft.ContainerService/managedClusters/read',
      ],
    },
  },
  {
    name: 'Azure Kubernetes Service Contributor Role',
    guid: 'ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8',
    permissions: {
      actions: [
        'Microsoft.Authorization/*/read',
        'Microsoft.ContainerService/managedClusters/read',
        'Microsoft.ContainerService/managedClusters/write',
        'Microsoft.Resources/deployments/*',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
      ],
    },
  },
  {
    name: 'Azure Kubernetes Service RBAC Cluster Admin',
    guid: 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
    permissions: {
      actions: [
        'Microsoft.Authorization/*/read',
        'Microsoft.Resources/subscriptions/operationresults/read',
        'Microsoft.Resources/subscriptions/read',
        'Microsoft.Resources/subscriptions/resourceGroups/read',
        'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
      ],
      dataActions: ['Microsoft.ContainerService/managedClusters/*'],
    },
  },
  {
    name: 'Azure Kubernetes Service RBAC Reader',
    guid: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
    permissions: {
      actions: ['Microsoft.Authorization/*/read', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
      dataActions: [
        'Microsoft.ContainerService/managedClusters/apps/*/read',
        'Microsoft.ContainerService/managedClusters/configmaps/read',
        'Microsoft.ContainerService/managedClusters/pods/read',
      ],
    },
  },
];

const PermissionsSchema = {
  actions: z.array(z.string().min(1)).default([]),
  notActions: z.array(z.string().min(1)).default([]),
  dataActions: z.array(z.string().min(1)).default([]),
  notDataActions: z.array(z.string().min(1)).default([]),
};

/** A custom role, tenant-wide (assignable at `/`). */
export const CustomRoleSpecSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  ...PermissionsSchema,
});

const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'] as const;
const SCOPE = z
  .string()
  .regex(
    /^(subscription|resourceGroup\/[\w.()-]{1,90}|cluster\/[A-Za-z0-9_-]{1,63}|managementGroup\/[\w.()-]{1,90})$/,
    'subscription, resourceGroup/<name>, cluster/<name> or managementGroup/<id>',
  );

export const RoleAssignmentSpecSchema = z.strictObject({
  principalId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a GUID (quote it in YAML)'),
  principalType: z.enum(PRINCIPAL_TYPES).default('User'),
  /** A built-in role's name (`Owner`, `Azure Kubernetes Service RBAC Cluster Admin`) or a custom role's. */
  role: z.string().min(1),
  /** Default: the subscription. */
  scope: SCOPE.default('subscription'),
  /** An ABAC condition (conditionVersion 2.0). */
  condition: z.string().min(1).optional(),
  description: z.string().optional(),
});

export type CustomRoleSpec = z.output<typeof CustomRoleSpecSchema>;
export type RoleAssignmentSpec = z.output<typeof RoleAssignmentSpecSchema>;

export interface SimRoleDefinition {
  guid: string;
  name: string;
  builtIn: boolean;
  description: string;
  permissions: RolePermissions;
}

export interface SimRoleAssignment {
  guid: string;
  /** The ARM scope, as ARM writes it. */
  scope: string;
  principalId: string;
  principalType: string;
  roleGuid: string;
  condition?: string;
  description?: string;
}

/** Built-in roles plus the spec's custom ones, by lowercased name. */
export function resolveRoleDefinitions(custom: CustomRoleSpec[]): Map<string, SimRoleDefinition> {
  const out = new Map<string, SimRoleDefinition>();
  for (const b of BUILTIN)
    out.set(b.name.toLowerCase(), {
      guid: b.guid,
      name: b.name,
      builtIn: true,
      description: `${b.name} (built-in)`,
      permissions: { actions: [], notActions: [], dataActions: [], notDataActions: [], ...b.permissions },
    });
  for (const c of custom) {
    const { name, description, ...permissions } = c;
    out.set(name.toLowerCase(), {
      guid: guidFrom(`role:${name}`),
      name,
      builtIn: false,
      description: description ?? name,
      permissions,
    });
  }
  return out;
}

/**
 * The subscription's assignments as ARM scopes. No `roleAssignments` in the spec: one Owner at the subscription (a
 * subscription always has someone who created it); `[]`: none.
 */
export function resolveRoleAssignments(
  subscriptionId: string,
  spec: RoleAssignmentSpec[] | undefined,
  roles: Map<string, SimRoleDefinition>,
  clusterGroup: (name: string) => string | undefined,
): SimRoleAssignment[] {
  const list = spec ?? [
    {
      principalId: guidFrom(`${subscriptionId}/owner`),
      principalType: 'User' as const,
      role: 'Owner',
      scope: 'subscription',
    },
  ];
  return list.map((a, i) => {
    const role = roles.get(a.role.toLowerCase());
    if (!role) throw new Error(`role ${a.role} is neither built in nor in azure.roleDefinitions`);
    const [kind, name] = a.scope.split('/') as [string, string | undefined];
    const sub = `/subscriptions/${subscriptionId}`;
    let scope = sub;
    if (kind === 'managementGroup') scope = `/providers/Microsoft.Management/managementGroups/${name}`;
    else if (kind === 'resourceGroup') scope = `${sub}/resourceGroups/${name}`;
    else if (kind === 'cluster') {
      const rg = clusterGroup(name!);
      if (!rg) throw new Error(`scope ${a.scope}: no cluster ${name} in subscription ${subscriptionId}`);
      scope = `${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    }
    return {
      guid: guidFrom(`${subscriptionId}/ra/${i}/${a.principalId}/${a.role}/${a.scope}`),
      scope,
      principalId: a.principalId.toLowerCase(),
      principalType: a.principalType,
      roleGuid: role.guid,
      ...(a.condition ? { condition: a.condition } : {}),
      ...(a.description ? { description: a.description } : {}),
    };
  });
}

/** Scope `a` is `b` or above it (a segment-wise prefix, case-insensitive); management groups sit above everything. */
function atOrAbove(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\/+$/, '');
  const y = b.toLowerCase().replace(/\/+$/, '');
  return x.startsWith('/providers/microsoft.management/managementgroups/') || y === x || y.startsWith(`${x}/`);
}

const ROLE_DEFINITIONS = 'providers/Microsoft.Authorization/roleDefinitions';

export function roleDefinitionJson(subscriptionId: string | undefined, d: SimRoleDefinition): unknown {
  return {
    id: `${subscriptionId ? `/subscriptions/${subscriptionId}` : ''}/${ROLE_DEFINITIONS}/${d.guid}`,
    name: d.guid,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: d.name,
      type: d.builtIn ? 'BuiltInRole' : 'CustomRole',
      description: d.description,
      assignableScopes: ['/'],
      permissions: [d.permissions],
      createdOn: '2023-03-01T10:00:00.0000000Z',
      updatedOn: '2025-06-01T10:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

export function roleAssignmentJson(subscriptionId: string, a: SimRoleAssignment): unknown {
  return {
    id: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.guid}`,
    name: a.guid,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `/subscriptions/${subscriptionId}/${ROLE_DEFINITIONS}/${a.roleGuid}`,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition ?? null,
      conditionVersion: a.condition ? '2.0' : null,
      createdOn: '2025-01-15T09:30:00.0000000Z',
      updatedOn: '2025-01-15T09:30:00.0000000Z',
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: a.description ?? null,
    },
  };
}

/**
 * The assignments `listForScope(scope)` returns: with `$filter=atScope()`, those at the scope and above it; without,
 * also those below it. Assignments of every subscription are candidates (a management group's apply to all).
 */
export function assignmentsForScope(
  all: { subscriptionId: string; assignments: SimRoleAssignment[] }[],
  scope: string,
  filter: string | null,
): { subscriptionId: string; assignment: SimRoleAssignment }[] {
  const atScope = (filter ?? '').replace(/\s/g, '') === 'atScope()';
  const seen = new Set<string>();
  const out: { subscriptionId: string; assignment: SimRoleAssignment }[] = [];
  for (const s of all)
    for (const a of s.assignments) {
      const applies = atOrAbove(a.scope, scope) || (!atScope && atOrAbove(scope, a.scope));
      // A management-group assignment is listed once, whichever subscription's spec holds it.
      if (applies && !seen.has(a.guid)) {
        seen.add(a.guid);
        out.push({ subscriptionId: s.subscriptionId, assignment: a });
      }
    }
  return out;
}

/** Spec rules the schema cannot express: roles that exist, cluster scopes that name a cluster of the subscription. */
export function authorizationIssues(azure: {
  roleDefinitions: CustomRoleSpec[];
  subscriptions: { roleAssignments?: RoleAssignmentSpec[] | undefined; clusters: { name: string }[] }[];
}): { path: string; message: string }[] {
  const roles = resolveRoleDefinitions(azure.roleDefinitions);
  const issues: { path: string; message: string }[] = [];
  azure.subscriptions.forEach((s, i) => {
    s.roleAssignments?.forEach((a, j) => {
      const at = `azure.subscriptions[${i}].roleAssignments[${j}]`;
      if (!roles.has(a.role.toLowerCase()))
        issues.push({
          path: `${at}.role`,
          message: `${a.role} is neither a built-in role the simulator knows (${BUILTIN.map((b) => b.name).join(', ')}) nor in azure.roleDefinitions`,
        });
      const cluster = /^cluster\/(.+)$/.exec(a.scope)?.[1];
      if (cluster && !s.clusters.some((c) => c.name.toLowerCase() === cluster.toLowerCase()))
        issues.push({ path: `${at}.scope`, message: `no cluster ${cluster} in this subscription` });
    });
  });
  return issues;
}

export interface AuthorizationRoute {
  action: string;
  permission: string;
  subscriptionId?: string;
  answer(sub: unknown, url: URL): unknown;
}

/**
 * The ARM routes of `Microsoft.Authorization` the collector reads, or undefined for any other path: `GET
 * {scope}/providers/Microsoft.Authorization/roleAssignments` and `GET {scope}/providers/Microsoft.Authorization/
 * roleDefinitions/{guid}`, `scope` being a subscription, resource group, cluster or management group.
 */
export function authorizationRoute(
  path: string,
  state: {
    subscriptions: { id: string; roleAssignments: SimRoleAssignment[] }[];
    roleDefinitions: Map<string, SimRoleDefinition>;
  },
  page: <T>(items: T[], url: URL) => unknown,
  notFound: (message: string) => Error,
): AuthorizationRoute | undefined {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1]?.toLowerCase();
  let m = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments$/i.exec(path);
  if (m) {
    const scope = m[1] || '/';
    return {
      action: 'RoleAssignments.ListForScope',
      permission: 'Microsoft.Authorization/roleAssignments/read',
      ...(sub ? { subscriptionId: sub } : {}),
      answer: (_s, url) =>
        page(
          assignmentsForScope(
            state.subscriptions.map((s) => ({ subscriptionId: s.id, assignments: s.roleAssignments })),
            scope,
            url.searchParams.get('$filter'),
          ).map(({ subscriptionId, assignment }) => roleAssignmentJson(subscriptionId, assignment)),
          url,
        ),
    };
  }
  m = /^(.*)\/providers\/Microsoft\.Authorization\/roleDefinitions\/([^/]+)$/i.exec(path);
  if (m) {
    const guid = m[2]!.toLowerCase();
    return {
      action: 'RoleDefinitions.GetById',
      permission: 'Microsoft.Authorization/roleDefinitions/read',
      ...(sub ? { subscriptionId: sub } : {}),
      answer: () => {
        const d = [...state.roleDefinitions.values()].find((x) => x.guid === guid);
        if (!d) throw notFound(`The role definition '${guid}' does not exist.`);
        return roleDefinitionJson(sub, d);
      },
    };
  }
  return undefined;
}
