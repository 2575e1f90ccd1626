/**
 * Test builders for AKS snapshots. `anAksCluster()` is a complete cluster that passes every AKS check:
 * private API server, Entra ID with Azure RBAC and no local accounts, workload identity, Key Vault KMS,
 * kube-audit to Log Analytics, current node images, a supported version. Tests override only what they are about.
 */
import type { AgentPoolUpgradeProfile, KubernetesVersion, ManagedCluster } from '@azure/arm-containerservice';
import type { Key, Vault } from '@azure/arm-keyvault';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import type { AksSecretsKeyFacts } from '../../core/snapshot-aks.ts';
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
    secretsKey: aSecretsKey(),
    gaps: [],
    ...rest,
  };
}
