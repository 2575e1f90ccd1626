/**
 * Test builders for GKE snapshots. `aGkeCluster()` passes every GKE check: private endpoint, Workload
 * Identity on every pool, an internal-only DNS endpoint, a dedicated node service account, Cloud KMS secrets encryption, API server and
 * system logs, COS_CONTAINERD with auto-upgrade and secure boot, the REGULAR channel, a supported version.
 */

import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import type { GkeCluster, GkeProjectIam, GkeSecretsKeyFacts, GkeServerConfig } from '../../core/snapshot-gke.ts';
import { type DeepPartial, deepMerge, TEST_NOW } from '../eks/builders.ts';

export const TEST_PROJECT = 'shop-prod-4821';
export const TEST_GKE_LOCATION = 'europe-west1';
export const TEST_KMS_KEY = `projects/${TEST_PROJECT}/locations/europe-west1/keyRings/gke/cryptoKeys/etcd`;
export const TEST_GKE_VERSION = '1.32.6-gke.1125000';

export interface GkeClusterOverrides extends Partial<Omit<GkeClusterSnapshot, 'cluster' | 'provider'>> {
  cluster?: DeepPartial<GkeCluster>;
}

export const TEST_SERVER_CONFIG: GkeServerConfig = {
  defaultClusterVersion: TEST_GKE_VERSION,
  validMasterVersions: ['1.33.2-gke.1240000', TEST_GKE_VERSION, '1.31.10-gke.1045000'],
  validNodeVersions: ['1.33.2-gke.1240000', TEST_GKE_VERSION, '1.31.10-gke.1045000', '1.30.14-gke.1135000'],
  channels: [{ channel: 'REGULAR', defaultVersion: TEST_GKE_VERSION, validVersions: [TEST_GKE_VERSION] }],
};

export function aNodePool(name: string, patch: DeepPartial<NonNullable<GkeCluster['nodePools']>[number]> = {}) {
  return deepMerge<NonNullable<GkeCluster['nodePools']>[number]>(
    {
      name,
      version: TEST_GKE_VERSION,
      status: 'RUNNING',
      config: {
        machineType: 'e2-standard-4',
        imageType: 'COS_CONTAINERD',
        serviceAccount: `gke-nodes@${TEST_PROJECT}.iam.gserviceaccount.com`,
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      },
      management: { autoUpgrade: true, autoRepair: true },
    },
    patch,
  );
}

function defaultCluster(name: string): GkeCluster {
  return {
    name,
    location: TEST_GKE_LOCATION,
    selfLink: `https://container.googleapis.com/v1/projects/${TEST_PROJECT}/locations/${TEST_GKE_LOCATION}/clusters/${name}`,
    status: 'RUNNING',
    currentMasterVersion: TEST_GKE_VERSION,
    endpoint: '10.128.0.2',
    masterAuth: { clusterCaCertificate: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
    legacyAbac: { enabled: false },
    privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true, privateEndpoint: '10.128.0.2' },
    masterAuthorizedNetworksConfig: { enabled: true, cidrBlocks: [{ displayName: 'corp', cidrBlock: '10.0.0.0/8' }] },
    // What GKE returns today beside the deprecated fields above, kept in step with them here.
    controlPlaneEndpointsConfig: {
      ipEndpointsConfig: {
        enabled: true,
        enablePublicEndpoint: false,
        globalAccess: false,
        privateEndpoint: '10.128.0.2',
        authorizedNetworksConfig: {
          enabled: true,
          cidrBlocks: [{ displayName: 'corp', cidrBlock: '10.0.0.0/8' }],
          gcpPublicCidrsAccessEnabled: false,
        },
      },
      dnsEndpointConfig: {
        endpoint: `gke-0a1b2c3d4e5f-${TEST_PROJECT}.${TEST_GKE_LOCATION}.gke.goog`,
        allowExternalTraffic: false,
      },
    },
    workloadIdentityConfig: { workloadPool: `${TEST_PROJECT}.svc.id.goog` },
    databaseEncryption: { state: 'ENCRYPTED', keyName: TEST_KMS_KEY },
    loggingService: 'logging.googleapis.com/kubernetes',
    loggingConfig: { componentConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'APISERVER', 'WORKLOADS'] as never } },
    releaseChannel: { channel: 'REGULAR' },
    shieldedNodes: { enabled: true },
    nodePools: [aNodePool('default-pool')],
  };
}

/** What Cloud KMS says about TEST_KMS_KEY: ENABLED primary version, 90-day rotation. `patch.cryptoKey` is merged in. */
export function aCryptoKey(
  patch: DeepPartial<Omit<GkeSecretsKeyFacts, 'cryptoKey'>> & {
    cryptoKey?: DeepPartial<GkeSecretsKeyFacts['cryptoKey']>;
  } = {},
): GkeSecretsKeyFacts {
  const base: GkeSecretsKeyFacts = {
    keyName: TEST_KMS_KEY,
    cryptoKey: {
      name: TEST_KMS_KEY,
      purpose: 'ENCRYPT_DECRYPT',
      primary: { name: `${TEST_KMS_KEY}/cryptoKeyVersions/3`, state: 'ENABLED', protectionLevel: 'SOFTWARE' },
      rotationPeriod: '7776000s',
      nextRotationTime: '2026-07-01T00:00:00.000Z',
    },
  };
  return deepMerge<GkeSecretsKeyFacts>(base, patch as DeepPartial<GkeSecretsKeyFacts>);
}

/** A realistic GKE snapshot that passes every check; `overrides.cluster` is deep-merged (lists such as nodePools replace). */
export function aGkeCluster(overrides: GkeClusterOverrides = {}): GkeClusterSnapshot {
  const name = overrides.name ?? 'storefront';
  const { cluster: patch, ...rest } = overrides;
  const cluster = deepMerge<GkeCluster>(defaultCluster(name), patch);
  return {
    provider: 'gcp',
    id: cluster.selfLink ?? name,
    name,
    accountId: TEST_PROJECT,
    region: TEST_GKE_LOCATION,
    collectedAt: TEST_NOW.toISOString(),
    cluster,
    serverConfig: TEST_SERVER_CONFIG,
    projectIam: aProjectIam(),
    secretsKey: aCryptoKey(),
    gaps: [],
    ...rest,
  };
}

export const TEST_ORG_DOMAIN = 'shop.example';

/** A project IAM policy with one owner and one cluster admin group of the organization; `bindings` replace them. */
export function aProjectIam(
  o: {
    bindings?: GcpIamBinding[];
    customRoles?: GkeProjectIam['customRoles'];
    unresolvedRoles?: GkeProjectIam['unresolvedRoles'];
    organizationDomains?: string[];
  } = {},
): GkeProjectIam {
  return {
    policy: {
      version: 3,
      etag: 'BwYhJ8Qk2Lw=',
      bindings: o.bindings ?? [
        { role: 'roles/owner', members: [`user:platform-lead@${TEST_ORG_DOMAIN}`] },
        { role: 'roles/container.admin', members: [`group:gke-admins@${TEST_ORG_DOMAIN}`] },
        { role: 'roles/viewer', members: [`group:everyone@${TEST_ORG_DOMAIN}`] },
      ],
    },
    customRoles: o.customRoles ?? {},
    unresolvedRoles: o.unresolvedRoles ?? [],
    organizationDomains: o.organizationDomains ?? [TEST_ORG_DOMAIN],
  };
}

export type GcpIamBinding = NonNullable<GkeProjectIam['policy']['bindings']>[number];
