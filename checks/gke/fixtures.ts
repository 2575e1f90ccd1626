/**
 * Example GKE snapshots per check id: at least one PASS and one FAIL, run by checks/catalogue.test.ts.
 * The same shapes appear in the sample fleet (sim/fleets/sample.yaml).
 */
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { aCryptoKey, aGkeCluster, aNodePool, aProjectIam } from './builders.ts';

export interface GkeExamples {
  pass: GkeClusterSnapshot[];
  fail: GkeClusterSnapshot[];
}

const good = aGkeCluster({ name: 'well-configured' });
/** What `gcloud container clusters create` gives without flags. */
const defaults = aGkeCluster({
  name: 'gcloud-defaults',
  cluster: {
    privateClusterConfig: { enablePrivateEndpoint: false },
    masterAuthorizedNetworksConfig: { enabled: false, cidrBlocks: [] },
    controlPlaneEndpointsConfig: {
      ipEndpointsConfig: {
        enablePublicEndpoint: true,
        authorizedNetworksConfig: { enabled: false, cidrBlocks: [], gcpPublicCidrsAccessEnabled: true },
      },
    },
    workloadIdentityConfig: undefined,
    databaseEncryption: { state: 'DECRYPTED', keyName: undefined },
    loggingConfig: { componentConfig: { enableComponents: ['SYSTEM_COMPONENTS', 'WORKLOADS'] as never } },
    nodePools: [
      aNodePool('default-pool', {
        config: {
          serviceAccount: 'default',
          workloadMetadataConfig: undefined,
          shieldedInstanceConfig: { enableSecureBoot: false },
        },
      }),
    ],
  },
});
const ubuntu = aGkeCluster({
  name: 'ubuntu-pool',
  cluster: {
    nodePools: [aNodePool('default-pool'), aNodePool('ubuntu', { config: { imageType: 'UBUNTU_CONTAINERD' } })],
  },
});

export const gkeExamples: Record<string, GkeExamples> = {
  'GKE.ENDPOINT.1': {
    pass: [
      good,
      aGkeCluster({
        name: 'office-only',
        cluster: {
          privateClusterConfig: { enablePrivateEndpoint: false },
          controlPlaneEndpointsConfig: { ipEndpointsConfig: { enablePublicEndpoint: true } },
        },
      }),
      // IP endpoints off: no IP to reach, whatever the deprecated fields say.
      aGkeCluster({
        name: 'dns-only',
        cluster: {
          privateClusterConfig: { enablePrivateEndpoint: false },
          masterAuthorizedNetworksConfig: { enabled: false },
          controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: false } },
        },
      }),
    ],
    fail: [
      defaults,
      aGkeCluster({
        name: 'gcp-wide',
        cluster: {
          privateClusterConfig: { enablePrivateEndpoint: false },
          masterAuthorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: true },
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: {
              enablePublicEndpoint: true,
              authorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: true },
            },
          },
        },
      }),
      // The deprecated fields say private; the new block, which GKE honours, says public and open.
      aGkeCluster({
        name: 'drifted',
        cluster: {
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: { enablePublicEndpoint: true, authorizedNetworksConfig: { enabled: false } },
          },
        },
      }),
    ],
  },
  'GKE.ENDPOINT.2': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'dns-external',
        cluster: { controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: true } } },
      }),
    ],
  },
  'GKE.ACCESS.1': { pass: [good], fail: [aGkeCluster({ name: 'abac', cluster: { legacyAbac: { enabled: true } } })] },
  'GKE.ACCESS.2': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'client-cert',
        cluster: {
          masterAuth: {
            clientCertificate: 'LS0tLS1CRUdJTg==',
            clientCertificateConfig: { issueClientCertificate: true },
          },
        },
      }),
    ],
  },
  'GKE.IDENTITY.1': {
    pass: [
      good,
      aGkeCluster({
        name: 'int-enum',
        cluster: { nodePools: [aNodePool('p', { config: { workloadMetadataConfig: { mode: 2 as never } } })] },
      }),
    ],
    fail: [
      defaults,
      aGkeCluster({
        name: 'gce-metadata-pool',
        cluster: {
          nodePools: [
            aNodePool('a'),
            aNodePool('legacy', { config: { workloadMetadataConfig: { mode: 'GCE_METADATA' } } }),
          ],
        },
      }),
    ],
  },
  'GKE.IDENTITY.2': {
    pass: [good],
    fail: [
      defaults,
      aGkeCluster({
        name: 'compute-sa',
        cluster: {
          nodePools: [
            aNodePool('p', { config: { serviceAccount: '123456789012-compute@developer.gserviceaccount.com' } }),
          ],
        },
      }),
    ],
  },
  'GKE.ENCRYPTION.1': { pass: [good], fail: [defaults] },
  // key health (issue 15)
  'GKE.ENCRYPTION.2': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'key-destroy-scheduled',
        secretsKey: aCryptoKey({
          cryptoKey: { primary: { state: 'DESTROY_SCHEDULED', destroyTime: '2026-06-20T00:00:00.000Z' } },
        }),
      }),
      aGkeCluster({ name: 'key-deleted', secretsKey: aCryptoKey({ cryptoKey: undefined, notFound: true }) }),
    ],
  },
  'GKE.ENCRYPTION.3': {
    pass: [good],
    fail: [
      aGkeCluster({ name: 'key-no-rotation', secretsKey: aCryptoKey({ cryptoKey: { rotationPeriod: undefined } }) }),
    ],
  },
  'GKE.ENCRYPTION.4': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'key-other-project',
        cluster: {
          databaseEncryption: {
            keyName: 'projects/kms-central-9999/locations/europe-west1/keyRings/gke/cryptoKeys/etcd',
          },
        },
        secretsKey: undefined,
      }),
    ],
  },
  'GKE.LOGGING.1': {
    pass: [good],
    fail: [defaults, aGkeCluster({ name: 'no-logging', cluster: { loggingService: 'none' } })],
  },
  'GKE.NODES.1': { pass: [good], fail: [ubuntu] },
  'GKE.NODES.2': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'pinned-nodes',
        cluster: { nodePools: [aNodePool('p', { management: { autoUpgrade: false } })] },
      }),
    ],
  },
  'GKE.NODES.3': {
    pass: [good],
    fail: [defaults, aGkeCluster({ name: 'unshielded', cluster: { shieldedNodes: { enabled: false } } })],
  },
  'GKE.VERSIONS.1': {
    pass: [good],
    fail: [aGkeCluster({ name: 'static', cluster: { releaseChannel: { channel: 'UNSPECIFIED' } } })],
  },
  'GKE.VERSIONS.2': {
    pass: [good],
    fail: [
      aGkeCluster({ name: 'skewed', cluster: { nodePools: [aNodePool('old', { version: '1.30.14-gke.1135000' })] } }),
    ],
  },
  'GKE.VERSIONS.3': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'eol',
        cluster: {
          currentMasterVersion: '1.29.15-gke.1000000',
          nodePools: [aNodePool('p', { version: '1.29.15-gke.1000000' })],
        },
      }),
    ],
  },
  'GKE.ACCESS.3': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'editors-everywhere',
        projectIam: aProjectIam({
          bindings: [
            { role: 'roles/editor', members: Array.from({ length: 11 }, (_, i) => `user:dev${i}@shop.example`) },
          ],
        }),
      }),
    ],
  },
  'GKE.ACCESS.4': {
    pass: [good],
    fail: [
      aGkeCluster({
        name: 'consultant-admin',
        projectIam: aProjectIam({
          bindings: [{ role: 'roles/container.admin', members: ['user:contractor@gmail.com'] }],
        }),
      }),
    ],
  },
  // node pools on versions GKE no longer offers (issue 15)
  'GKE.VERSIONS.4': {
    pass: [
      good,
      aGkeCluster({
        name: 'older-offered',
        cluster: { nodePools: [aNodePool('p', { version: '1.30.14-gke.1135000' })] },
      }),
    ],
    fail: [
      aGkeCluster({ name: 'minor-gone', cluster: { nodePools: [aNodePool('p', { version: '1.29.15-gke.1000000' })] } }),
      aGkeCluster({ name: 'patch-gone', cluster: { nodePools: [aNodePool('p', { version: '1.32.4-gke.1000000' })] } }),
    ],
  },
};
