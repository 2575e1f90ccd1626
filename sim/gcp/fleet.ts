import { createHash } from 'node:crypto';
import { deepMerge, type PlainObject } from '../merge.ts';
import { type GcpCustomRoleSpec, resolveIamPolicy, type SimIamPolicy } from './iam.ts';
import type { GcpSpec, GkeClusterSpec } from './spec.ts';

export interface SimGkeCluster {
  projectId: string;
  /** The cluster JSON as GKE REST v1 returns it, live. */
  cluster: PlainObject & { name: string; location: string };
}

export interface SimProject {
  id: string;
  number: string;
  apiDisabled: boolean;
  denied: boolean;
  /** Methods refused with 403 PERMISSION_DENIED (sim-only, spec `deniedActions`); live. */
  deniedActions: Set<string>;
  clusters: SimGkeCluster[];
  iamPolicy: SimIamPolicy;
  /** Custom roles with full names (`projects/<id>/roles/<role>`). */
  customRoles: GcpCustomRoleSpec[];
}

export interface SimGcp {
  projects: SimProject[];
  serverConfig: PlainObject;
  organizationRoles: GcpCustomRoleSpec[];
}

const DEFAULT_VERSION = '1.32.6-gke.1125000';

function digits(seed: string, n: number): string {
  const h = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) out += String(h[i % h.length]! % 10);
  return out.replace(/^0/, '1');
}

/** What `gcloud container clusters create NAME` gives without flags (Standard, 2025). */
function defaultCluster(c: GkeClusterSpec, projectId: string, projectNumber: string): PlainObject {
  const ip = `34.${(Number(digits(c.name, 3)) % 200) + 20}.${Number(digits(projectId, 2))}.${(Number(digits(c.location + c.name, 2)) % 250) + 2}`;
  return {
    selfLink: `https://container.googleapis.com/v1/projects/${projectId}/locations/${c.location}/clusters/${c.name}`,
    id: createHash('sha256').update(`${projectId}/${c.location}/${c.name}`).digest('hex').slice(0, 32),
    status: 'RUNNING',
    currentMasterVersion: DEFAULT_VERSION,
    initialClusterVersion: DEFAULT_VERSION,
    endpoint: ip,
    createTime: '2025-04-02T10:15:00+00:00',
    network: 'default',
    subnetwork: 'default',
    masterAuth: { clusterCaCertificate: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
    loggingService: 'logging.googleapis.com/kubernetes',
    monitoringService: 'monitoring.googleapis.com/kubernetes',
    loggingConfig: { componentConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] } },
    legacyAbac: {},
    masterAuthorizedNetworksConfig: {},
    privateClusterConfig: { privateEndpoint: '10.128.0.2', publicEndpoint: ip },
    releaseChannel: { channel: 'REGULAR' },
    shieldedNodes: { enabled: true },
    databaseEncryption: { state: 'DECRYPTED', currentState: 'CURRENT_STATE_DECRYPTED' },
    ipAllocationPolicy: { useIpAliases: true },
    resourceLabels: {},
    nodePools: [{ name: 'default-pool' }],
    projectNumber,
  };
}

/**
 * `controlPlaneEndpointsConfig` as GKE returns it beside the deprecated fields, which it mirrors unless the spec
 * sets the block itself (then the two may disagree, as they can on real clusters: the block is what GKE honours).
 */
function endpointsConfig(merged: PlainObject, c: GkeClusterSpec, projectNumber: string): PlainObject {
  const pcc = (merged.privateClusterConfig ?? {}) as PlainObject;
  const man = (merged.masterAuthorizedNetworksConfig ?? {}) as PlainObject;
  const dnsId = createHash('sha256').update(String(merged.selfLink)).digest('hex').slice(0, 12);
  const derived: PlainObject = {
    ipEndpointsConfig: {
      enabled: true,
      enablePublicEndpoint: pcc.enablePrivateEndpoint !== true,
      globalAccess: false,
      authorizedNetworksConfig: man,
      ...(pcc.publicEndpoint ? { publicEndpoint: pcc.publicEndpoint } : {}),
      ...(pcc.privateEndpoint ? { privateEndpoint: pcc.privateEndpoint } : {}),
    },
    dnsEndpointConfig: {
      endpoint: `gke-${dnsId}-${projectNumber}.${c.location}.gke.goog`,
      allowExternalTraffic: false,
    },
  };
  return deepMerge<PlainObject>(derived, merged.controlPlaneEndpointsConfig as PlainObject | undefined);
}

function defaultPool(name: string, version: string): PlainObject {
  return {
    name,
    version,
    status: 'RUNNING',
    initialNodeCount: 3,
    config: {
      machineType: 'e2-medium',
      diskSizeGb: 100,
      diskType: 'pd-balanced',
      imageType: 'COS_CONTAINERD',
      serviceAccount: 'default',
      oauthScopes: [
        'https://www.googleapis.com/auth/devstorage.read_only',
        'https://www.googleapis.com/auth/logging.write',
        'https://www.googleapis.com/auth/monitoring',
      ],
      metadata: { 'disable-legacy-endpoints': 'true' },
      shieldedInstanceConfig: { enableIntegrityMonitoring: true },
    },
    management: { autoUpgrade: true, autoRepair: true },
    upgradeSettings: { maxSurge: 1, strategy: 'SURGE' },
  };
}

export function resolveGcp(spec: GcpSpec): SimGcp {
  return {
    serverConfig: spec.serverConfig,
    organizationRoles: spec.organizationRoles,
    projects: spec.projects.map((p) => {
      const number = p.number ?? digits(p.id, 12);
      return {
        id: p.id,
        number,
        iamPolicy: resolveIamPolicy(number, p.iamPolicy),
        customRoles: p.customRoles.map((r) => ({
          ...r,
          name: r.name.includes('/') ? r.name : `projects/${p.id}/roles/${r.name}`,
        })),
        apiDisabled: p.apiDisabled,
        denied: p.denied,
        deniedActions: new Set(p.deniedActions),
        clusters: p.clusters.map((c) => {
          const merged = deepMerge<PlainObject>(
            deepMerge(defaultCluster(c, p.id, number), spec.defaults.cluster),
            c as PlainObject,
          );
          const version = String(merged.currentMasterVersion);
          merged.nodePools = ((merged.nodePools ?? []) as PlainObject[]).map((np) =>
            deepMerge<PlainObject>(defaultPool(String(np.name), version), np),
          );
          merged.currentNodeVersion ??= (merged.nodePools as PlainObject[])[0]?.version ?? version;
          merged.zone = c.location;
          // `controlPlaneEndpointsConfig: null` in the spec: an older answer without the block.
          if ((c as PlainObject).controlPlaneEndpointsConfig !== null)
            merged.controlPlaneEndpointsConfig = endpointsConfig(merged, c, number);
          delete merged.projectNumber;
          return { projectId: p.id, cluster: merged as SimGkeCluster['cluster'] };
        }),
      };
    }),
  };
}
