import { createHash } from 'node:crypto';
import { deepMerge, type PlainObject } from '../merge.ts';
import {
  resolveRoleAssignments,
  resolveRoleDefinitions,
  type SimRoleAssignment,
  type SimRoleDefinition,
} from './authorization.ts';
import type { AksClusterSpec, AzureSpec, DiagnosticSettingSpec } from './spec.ts';

/** One AKS cluster as the simulated ARM serves it: the ARM resource, plus what the sim answers around it. */
export interface SimAksCluster {
  subscriptionId: string;
  resourceGroup: string;
  /** The ARM resource JSON (`properties` holds the wire names), live. */
  resource: PlainObject & { id: string; name: string; location: string; properties: PlainObject };
  /** Pool name → newest node image for `agentPools.getUpgradeProfile`. */
  latestNodeImages: Record<string, string>;
  diagnosticSettings: DiagnosticSettingSpec[];
}

export interface SimSubscription {
  id: string;
  displayName: string;
  denied: boolean;
  /** Actions refused with 403 AuthorizationFailed (sim-only, spec `deniedActions`); live. */
  deniedActions: Set<string>;
  clusters: SimAksCluster[];
  /** Azure RBAC assignments held in this subscription's spec (their scopes may be above it: management groups). */
  roleAssignments: SimRoleAssignment[];
}

export interface SimAzure {
  tenantId: string;
  subscriptions: SimSubscription[];
  kubernetesVersions: AzureSpec['kubernetesVersions'];
  /** Built-in and custom role definitions, by lowercased name. */
  roleDefinitions: Map<string, SimRoleDefinition>;
}

const DEFAULT_VERSION = '1.32.6';
const DEFAULT_NODE_IMAGE = 'AKSUbuntu-2204gen2containerd-202507.21.0';

function hex(seed: string, n: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, n);
}

/** What `az aks create` gives without options (2025): public API server open to all, local accounts, no Entra. */
function defaultProperties(c: AksClusterSpec, subscriptionId: string, resourceGroup: string): PlainObject {
  const dnsPrefix = `${c.name}-${resourceGroup}-${subscriptionId.slice(0, 6)}`.slice(0, 54);
  return {
    provisioningState: 'Succeeded',
    powerState: { code: 'Running' },
    kubernetesVersion: DEFAULT_VERSION,
    dnsPrefix,
    fqdn: `${dnsPrefix}-${hex(c.name, 8)}.hcp.${c.location}.azmk8s.io`,
    azurePortalFQDN: `${dnsPrefix}-${hex(c.name, 8)}.portal.hcp.${c.location}.azmk8s.io`,
    enableRBAC: true,
    supportPlan: 'KubernetesOfficial',
    nodeResourceGroup: `MC_${resourceGroup}_${c.name}_${c.location}`,
    disableLocalAccounts: false,
    networkProfile: { networkPlugin: 'azure', networkPluginMode: 'overlay', loadBalancerSku: 'standard' },
    oidcIssuerProfile: { enabled: false },
    securityProfile: {},
    autoUpgradeProfile: { upgradeChannel: 'none', nodeOSUpgradeChannel: 'NodeImage' },
    apiServerAccessProfile: { enablePrivateCluster: false },
    agentPoolProfiles: [{ name: 'nodepool1' }],
  };
}

function defaultPool(name: string, version: string): PlainObject {
  return {
    name,
    count: 3,
    vmSize: 'Standard_D4ds_v5',
    osDiskSizeGB: 128,
    osType: 'Linux',
    osSKU: 'Ubuntu',
    mode: 'System',
    type: 'VirtualMachineScaleSets',
    orchestratorVersion: version,
    nodeImageVersion: DEFAULT_NODE_IMAGE,
    enableNodePublicIP: false,
    provisioningState: 'Succeeded',
    powerState: { code: 'Running' },
  };
}

export function resolveAzure(spec: AzureSpec): SimAzure {
  const roleDefinitions = resolveRoleDefinitions(spec.roleDefinitions);
  return {
    tenantId: spec.tenantId,
    kubernetesVersions: spec.kubernetesVersions,
    roleDefinitions,
    subscriptions: spec.subscriptions.map((s) => ({
      roleAssignments: resolveRoleAssignments(s.id.toLowerCase(), s.roleAssignments, roleDefinitions, (name) => {
        const c = s.clusters.find((x) => x.name.toLowerCase() === name.toLowerCase());
        return c ? (c.resourceGroup ?? `rg-${c.name}`) : undefined;
      }),
      id: s.id.toLowerCase(),
      displayName: s.displayName ?? `subscription-${s.id.slice(0, 8)}`,
      denied: s.denied,
      deniedActions: new Set(s.deniedActions),
      clusters: s.clusters.map((c) => {
        const subscriptionId = s.id.toLowerCase();
        const resourceGroup = c.resourceGroup ?? `rg-${c.name}`;
        const props = deepMerge<PlainObject>(
          deepMerge(defaultProperties(c, subscriptionId, resourceGroup), spec.defaults.properties),
          c.properties,
        );
        const version = String(props.kubernetesVersion);
        props.currentKubernetesVersion ??= version;
        const latestNodeImages: Record<string, string> = {};
        props.agentPoolProfiles = ((props.agentPoolProfiles ?? []) as PlainObject[]).map((p) => {
          const { latestNodeImageVersion, ...rest } = p;
          const pool = deepMerge<PlainObject>(defaultPool(String(p.name), version), rest);
          pool.currentOrchestratorVersion ??= pool.orchestratorVersion;
          latestNodeImages[String(pool.name)] = String(latestNodeImageVersion ?? pool.nodeImageVersion);
          return pool;
        });
        const id = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${c.name}`;
        return {
          subscriptionId,
          resourceGroup,
          latestNodeImages,
          diagnosticSettings: c.diagnosticSettings,
          resource: {
            id,
            name: c.name,
            type: 'Microsoft.ContainerService/ManagedClusters',
            location: c.location,
            tags: c.tags ?? {},
            sku: { name: 'Base', tier: 'Free' },
            identity: { type: 'SystemAssigned', principalId: guidFrom(`${id}/p`), tenantId: spec.tenantId },
            properties: props,
          },
        };
      }),
    })),
  };
}

export function guidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
