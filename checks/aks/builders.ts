/**
 * Test builders for AKS snapshots. `anAksCluster()` is a complete cluster that passes every AKS check:
 * private API server, Entra ID with Azure RBAC and no local accounts, workload identity, Key Vault KMS,
 * kube-audit to Log Analytics, current node images, a supported version. Tests override only what they are about.
 */
import type { Permission, RoleAssignment, RoleDefinition } from '@azure/arm-authorization';
import type { AgentPoolUpgradeProfile, KubernetesVersion, ManagedCluster } from '@azure/arm-containerservice';
import type { Key, Vault } from '@azure/arm-keyvault';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import type { AksRoleAssignments, AksSecretsKeyFacts } from '../../core/snapshot-aks.ts';
import { type DeepPartial, deepMerge, TEST_NOW } from '../eks/builders.ts';

export const TEST_SUBSCRIPTION = '6b1c3e4f-2a5d-4c8e-9f01-23456789abcd';
export const TEST_LOCATION = 'westeurope';
export const TEST_KEY_ID = 'https://kv-payments.vault.azure.net/keys/etcd/0123456789abcdef0123456789abcdef';
export const LATEST_NODE_IMAGE = 'AKSUbuntu-2204gen2containerd-202509.01.0';

export interface AksClusterOverrides extends Partial<Omit<AksClusterSnapshot, 'cluster' | 'provider'>> {
  cluster?: DeepPartial<ManagedCluster>;
}

function defaultCluster(name: string, id: string): ManagedCluster {
  return {
    id,
    name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    location: TEST_LOCATION,
    tags: { team: 'payments' },
    provisioningState: 'Succeeded',
    kubernetesVersion: '1.32.6',
    currentKubernetesVersion: '1.32.6',
    dnsPrefix: name,
    privateFqdn: `${name}-1a2b3c4d.privatelink.${TEST_LOCATION}.azmk8s.io`,
    enableRbac: true,
    supportPlan: 'KubernetesOfficial',
    disableLocalAccounts: true,
    aadProfile: { managed: true, enableAzureRbac: true, tenantID: '72f988bf-0000-4000-8000-000000000001' },
    apiServerAccessProfile: { enablePrivateCluster: true },
    oidcIssuerProfile: { enabled: true, issuerURL: `https://${TEST_LOCATION}.oic.prod-aks.azure.com/tenant/id/` },
    securityProfile: {
      workloadIdentity: { enabled: true },
      azureKeyVaultKms: { enabled: true, keyId: TEST_KEY_ID, keyVaultNetworkAccess: 'Private' },
    },
    autoUpgradeProfile: { upgradeChannel: 'patch', nodeOSUpgradeChannel: 'NodeImage' },
    agentPoolProfiles: [
      {
        name: 'system',
        mode: 'System',
        count: 3,
        vmSize: 'Standard_D4ds_v5',
        osType: 'Linux',
        osSKU: 'Ubuntu',
        orchestratorVersion: '1.32.6',
        currentOrchestratorVersion: '1.32.6',
        nodeImageVersion: LATEST_NODE_IMAGE,
        enableNodePublicIP: false,
      },
    ],
  } as ManagedCluster;
}

const poolProfile = (kubernetesVersion: string, latestNodeImageVersion: string): AgentPoolUpgradeProfile =>
  ({ kubernetesVersion, osType: 'Linux', latestNodeImageVersion, upgrades: [] }) as AgentPoolUpgradeProfile;

export const TEST_AKS_VERSIONS: KubernetesVersion[] = [
  { version: '1.30', capabilities: { supportPlan: ['AKSLongTermSupport'] }, patchVersions: { '1.30.14': {} } },
  {
    version: '1.31',
    capabilities: { supportPlan: ['KubernetesOfficial', 'AKSLongTermSupport'] },
    patchVersions: { '1.31.10': {} },
  },
  { version: '1.32', capabilities: { supportPlan: ['KubernetesOfficial'] }, patchVersions: { '1.32.6': {} } },
  { version: '1.33', capabilities: { supportPlan: ['KubernetesOfficial'] }, patchVersions: { '1.33.2': {} } },
  {
    version: '1.34',
    isPreview: true,
    capabilities: { supportPlan: ['KubernetesOfficial'] },
    patchVersions: { '1.34.0': {} },
  },
];

export const TEST_VAULT_ID = `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/kv-payments`;

/**
 * What ARM says about TEST_KEY_ID and its vault: a private vault (public network access disabled), the key version
 * enabled and expiring a year after TEST_NOW. `patch.key` / `patch.vault` are deep-merged in.
 */
export function aSecretsKey(
  patch: DeepPartial<Omit<AksSecretsKeyFacts, 'key' | 'vault'>> & {
    key?: DeepPartial<Key>;
    vault?: DeepPartial<Vault>;
  } = {},
): AksSecretsKeyFacts {
  const version = '0123456789abcdef0123456789abcdef';
  const base: AksSecretsKeyFacts = {
    keyId: TEST_KEY_ID,
    vaultName: 'kv-payments',
    keyName: 'etcd',
    keyVersion: version,
    vault: {
      id: TEST_VAULT_ID,
      name: 'kv-payments',
      type: 'Microsoft.KeyVault/vaults',
      location: TEST_LOCATION,
      properties: {
        tenantId: '72f988bf-0000-4000-8000-000000000001',
        sku: { family: 'A', name: 'standard' },
        enableRbacAuthorization: true,
        publicNetworkAccess: 'Disabled',
        networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
      },
    } as Vault,
    key: {
      id: `${TEST_VAULT_ID}/keys/etcd/versions/${version}`,
      name: version,
      attributes: {
        enabled: true,
        created: Math.floor(TEST_NOW.getTime() / 1000) - 90 * 86_400,
        expires: Math.floor(TEST_NOW.getTime() / 1000) + 365 * 86_400,
      },
      kty: 'RSA',
      keyUri: 'https://kv-payments.vault.azure.net/keys/etcd',
      keyUriWithVersion: TEST_KEY_ID,
    } as Key,
  };
  return deepMerge<AksSecretsKeyFacts>(base, patch as DeepPartial<AksSecretsKeyFacts>);
}

/** A realistic AKS snapshot that passes every check; `overrides.cluster` is deep-merged into the cluster. */
export function anAksCluster(overrides: AksClusterOverrides = {}): AksClusterSnapshot {
  const name = overrides.name ?? 'payments-aks';
  const resourceGroup = overrides.resourceGroup ?? 'rg-payments';
  const id =
    overrides.id ??
    `/subscriptions/${TEST_SUBSCRIPTION}/resourcegroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
  const { cluster: patch, ...rest } = overrides;
  const cluster = deepMerge<ManagedCluster>(defaultCluster(name, id), patch);
  const pools = Object.fromEntries(
    (cluster.agentPoolProfiles ?? []).map((p) => [
      p.name,
      poolProfile(p.currentOrchestratorVersion ?? '', LATEST_NODE_IMAGE),
    ]),
  );
  return {
    provider: 'azure',
    id,
    name,
    accountId: TEST_SUBSCRIPTION,
    region: TEST_LOCATION,
    resourceGroup,
    collectedAt: TEST_NOW.toISOString(),
    cluster,
    agentPoolUpgradeProfiles: pools,
    diagnosticSettings: [
      {
        name: 'control-plane-to-law',
        workspaceId: `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-security`,
        logs: [
          { category: 'kube-audit-admin', enabled: true },
          { category: 'guard', enabled: true },
        ],
      },
    ],
    kubernetesVersions: TEST_AKS_VERSIONS,
    roleAssignments: someRoleAssignments(id),
    secretsKey: aSecretsKey(),
    gaps: [],
    ...rest,
  };
}

/** Built-in role definitions as ARM returns them (ids under the test subscription), by role name. */
export const TEST_ROLES: Record<string, RoleDefinition> = Object.fromEntries(
  (
    [
      ['Owner', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', { actions: ['*'] }],
      [
        'Contributor',
        'b24988ac-6180-42a0-ab88-20f7382dd24c',
        {
          actions: ['*'],
          notActions: [
            'Microsoft.Authorization/*/Delete',
            'Microsoft.Authorization/*/Write',
            'Microsoft.Authorization/elevateAccess/Action',
          ],
        },
      ],
      ['Reader', 'acdd72a7-3385-48ef-bd42-f606fba81ae7', { actions: ['*/read'] }],
      [
        'User Access Administrator',
        '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
        { actions: ['*/read', 'Microsoft.Authorization/*'] },
      ],
      [
        'Azure Kubernetes Service Cluster Admin Role',
        '0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8',
        {
          actions: [
            'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
            'Microsoft.ContainerService/managedClusters/read',
          ],
        },
      ],
      [
        'Azure Kubernetes Service RBAC Cluster Admin',
        'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b',
        { actions: ['Microsoft.Authorization/*/read'], dataActions: ['Microsoft.ContainerService/managedClusters/*'] },
      ],
    ] as [string, string, Permission][]
  ).map(([roleName, guid, p]) => [
    roleName,
    {
      id: `/subscriptions/${TEST_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      name: guid,
      roleName,
      roleType: 'BuiltInRole',
      permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [], ...p }],
    } as RoleDefinition,
  ]),
);

/** A role assignment of `role` (a TEST_ROLES name, or a definition) to `principalId` at `scope`. */
export function aRoleAssignment(
  role: string | RoleDefinition,
  principalId: string,
  scope: string,
  o: Partial<RoleAssignment> = {},
): RoleAssignment {
  const d = typeof role === 'string' ? TEST_ROLES[role]! : role;
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${principalId.slice(0, 8)}-ra`,
    name: `${principalId.slice(0, 8)}-ra`,
    scope,
    roleDefinitionId: d.id,
    principalId,
    principalType: 'User',
    ...o,
  };
}

/** Assignments and the definitions they reference, as the collector puts them in the snapshot. */
export function roleAssignmentsOf(assignments: RoleAssignment[], extra: RoleDefinition[] = []): AksRoleAssignments {
  const defs = [...Object.values(TEST_ROLES), ...extra];
  return {
    assignments,
    roleDefinitions: Object.fromEntries(
      assignments
        .map((a) => [a.roleDefinitionId!.toLowerCase(), defs.find((d) => d.id === a.roleDefinitionId)!])
        .filter(([, d]) => d),
    ),
  };
}

/** One subscription owner, one Entra admin group with AKS RBAC Cluster Admin on the cluster, one subscription reader. */
function someRoleAssignments(clusterId: string): AksRoleAssignments {
  const sub = `/subscriptions/${TEST_SUBSCRIPTION}`;
  return roleAssignmentsOf([
    aRoleAssignment('Owner', '0a1b2c3d-0000-4000-8000-00000000000a', sub),
    aRoleAssignment('Azure Kubernetes Service RBAC Cluster Admin', '0a1b2c3d-0000-4000-8000-00000000000b', clusterId, {
      principalType: 'Group',
    }),
    aRoleAssignment('Reader', '0a1b2c3d-0000-4000-8000-00000000000c', sub, { principalType: 'Group' }),
  ]);
}
