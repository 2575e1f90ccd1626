import * as z from 'zod';

/**
 * What each ARM answer the collector believes ALWAYS carries (ARM wire JSON, checked by the pipeline policy in
 * clients.ts before the SDK's deserializer can turn a missing field into `undefined`, which a check would read as
 * "not configured"). Only the fields the REST specs mark required, or that ARM sets on every resource; everything
 * else passes through untouched. An empty list is `{ "value": [] }`: ARM lists always carry `value`.
 */

const nextLink = z.string().min(1).nullish();

const resource = {
  id: z.string().min(1),
  name: z.string().min(1),
};

/** `GET /subscriptions` (2022-12-01): every subscription has its id and a state. */
const subscriptionsPage = z.looseObject({
  value: z.array(z.looseObject({ subscriptionId: z.string().min(1), state: z.string().min(1) })),
  nextLink,
});

/**
 * `managedClusters` list page. A cluster always has its ARM id (with the resource group the per-cluster reads need),
 * name, location and `properties` with a provisioning state and at least one agent pool (AKS cannot exist without a
 * system pool): a cluster missing them would make every pool and version check vacuously pass.
 */
export const managedCluster = z.looseObject({
  ...resource,
  id: z.string().regex(/\/resourceGroups\/[^/]+\//i, 'an ARM id with /resourceGroups/<name>/'),
  location: z.string().min(1),
  properties: z.looseObject({
    provisioningState: z.string().min(1),
    agentPoolProfiles: z.array(z.looseObject({ name: z.string().min(1) })).min(1),
  }),
});
const managedClustersPage = z.looseObject({ value: z.array(managedCluster), nextLink });

/** `agentPools/{pool}/upgradeProfiles/default`: `kubernetesVersion` and `osType` are required by the spec. */
const agentPoolUpgradeProfile = z.looseObject({
  properties: z.looseObject({ kubernetesVersion: z.string().min(1), osType: z.string().min(1) }),
});

/** `locations/{l}/kubernetesVersions`: a location where AKS runs always offers versions. */
const kubernetesVersions = z.looseObject({
  values: z.array(z.looseObject({ version: z.string().min(1) })).min(1),
});

/** `diagnosticSettings` on a cluster: `value` (empty when there are none), each setting with its `properties`. */
const diagnosticSettingsPage = z.looseObject({
  value: z.array(z.looseObject({ name: z.string().min(1), properties: z.looseObject({}) })),
  nextLink,
});

/**
 * `roleAssignments` for a scope (2022-04-01). Each assignment names its role definition, principal and scope: one
 * without them could not be placed on any path, so the page is refused rather than read as "nobody".
 */
const roleAssignmentsPage = z.looseObject({
  value: z.array(
    z.looseObject({
      ...resource,
      properties: z.looseObject({
        roleDefinitionId: z.string().min(1),
        principalId: z.string().min(1),
        scope: z.string().min(1),
      }),
    }),
  ),
  nextLink,
});

/**
 * A role definition (2022-04-01): its permissions with all four lists, which ARM always sends (empty when empty). A
 * definition without `dataActions` would hide the AKS RBAC Cluster Admin grant: refused, never read as "no grant".
 */
const actionList = z.array(z.string());
const roleDefinition = z.looseObject({
  ...resource,
  properties: z.looseObject({
    roleName: z.string().min(1),
    permissions: z
      .array(
        z.looseObject({
          actions: actionList,
          notActions: actionList,
          dataActions: actionList,
          notDataActions: actionList,
        }),
      )
      .min(1),
  }),
});

/**
 * Key Vault through ARM (issue 15: the key behind `azureKeyVaultKms`). A vault always has its tenant and SKU (the spec
 * requires both); a key (or key version) always has its `attributes` with `enabled`: without it, a disabled key
 * would read as one whose state is unknown at best, enabled at worst.
 */
const keyVault = z.looseObject({
  ...resource,
  id: z.string().regex(/\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/i, 'a vault ARM id'),
  properties: z.looseObject({ tenantId: z.string().min(1), sku: z.looseObject({ name: z.string().min(1) }) }),
});
const keyVaultsPage = z.looseObject({ value: z.array(keyVault), nextLink });
const keyVaultKey = z.looseObject({
  ...resource,
  properties: z.looseObject({ attributes: z.looseObject({ enabled: z.boolean() }) }),
});

export interface ArmRoute {
  /** Named by gaps and errors: `aks:ListManagedClusters`. */
  action: string;
  /** Matched against the request path (case-insensitive, repeated slashes collapsed). */
  path: RegExp;
  schema: z.ZodType;
}

const SUB = '/subscriptions/[^/]+';
const CLUSTER = `${SUB}/resourceGroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+`;
const VAULT = `${SUB}/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+`;
const route = (action: string, path: string, schema: z.ZodType): ArmRoute => ({
  action,
  path: new RegExp(`^${path}$`, 'i'),
  schema,
});

/** The one registry of ARM answers: every GET the Azure collector makes must match one route (or it is refused). */
export const ARM_ROUTES = {
  listSubscriptions: route('arm:ListSubscriptions', '/subscriptions', subscriptionsPage),
  listManagedClusters: route(
    'aks:ListManagedClusters',
    `${SUB}/providers/Microsoft\\.ContainerService/managedClusters`,
    managedClustersPage,
  ),
  getManagedCluster: route('aks:GetManagedCluster', CLUSTER, managedCluster),
  getAgentPoolUpgradeProfile: route(
    'aks:GetAgentPoolUpgradeProfile',
    `${CLUSTER}/agentPools/[^/]+/upgradeProfiles/default`,
    agentPoolUpgradeProfile,
  ),
  listKubernetesVersions: route(
    'aks:ListKubernetesVersions',
    `${SUB}/providers/Microsoft\\.ContainerService/locations/[^/]+/kubernetesVersions`,
    kubernetesVersions,
  ),
  listDiagnosticSettings: route(
    'monitor:ListDiagnosticSettings',
    `${CLUSTER}/providers/Microsoft\\.Insights/diagnosticSettings`,
    diagnosticSettingsPage,
  ),
  listRoleAssignments: route(
    'authorization:ListRoleAssignments',
    `(${CLUSTER}|${SUB}(/resourceGroups/[^/]+)?|/providers/Microsoft\\.Management/managementGroups/[^/]+)?/providers/Microsoft\\.Authorization/roleAssignments`,
    roleAssignmentsPage,
  ),
  getRoleDefinition: route(
    'authorization:GetRoleDefinition',
    `(${SUB}|/providers/Microsoft\\.Management/managementGroups/[^/]+)?/providers/Microsoft\\.Authorization/roleDefinitions/[^/]+`,
    roleDefinition,
  ),
  listVaults: route('keyvault:ListVaults', `${SUB}/providers/Microsoft\\.KeyVault/vaults`, keyVaultsPage),
  getVault: route('keyvault:GetVault', VAULT, keyVault),
  getKey: route('keyvault:GetKey', `${VAULT}/keys/[^/]+`, keyVaultKey),
  getKeyVersion: route('keyvault:GetKeyVersion', `${VAULT}/keys/[^/]+/versions/[^/]+`, keyVaultKey),
} as const;

export type SubscriptionsPage = z.output<typeof subscriptionsPage>;

/** The route of a request path, or undefined (a call the registry does not know: refused, never believed). */
export function armRouteOf(pathname: string): ArmRoute | undefined {
  const path = decodeURIComponent(pathname)
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  return Object.values(ARM_ROUTES).find((r) => r.path.test(path));
}
