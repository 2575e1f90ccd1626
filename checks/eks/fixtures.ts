/**
 * Example snapshots per check, keyed by check id: at least one that must PASS and one that must FAIL.
 * checks/catalogue.test.ts runs every check on its examples and fails when a check has none of either.
 * The same shapes make good clusters for the simulated fleet (sim/fleets/sample.yaml).
 */
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import { anEksCluster } from './builders.ts';

export interface CheckExamples {
  pass: EksClusterSnapshot[];
  fail: EksClusterSnapshot[];
}

const publicEndpoint = (name: string, publicAccessCidrs: string[] | undefined, endpointPrivateAccess = true) =>
  anEksCluster({
    name,
    cluster: { resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess, publicAccessCidrs } },
  });

export const examples: Record<string, CheckExamples> = {
  'EKS.ENDPOINT.1': {
    pass: [
      anEksCluster({ name: 'private-only' }),
      publicEndpoint('office-only', ['203.0.113.0/24', '2001:db8:1234::/48']),
    ],
    fail: [
      publicEndpoint('world-v4', ['0.0.0.0/0'], false),
      publicEndpoint('world-v6-with-private', ['203.0.113.0/24', '::/0']),
      publicEndpoint('default-cidrs', []),
    ],
  },
  'EKS.ENDPOINT.2': {
    pass: [anEksCluster({ name: 'private-only' })],
    fail: [publicEndpoint('office-only', ['203.0.113.0/24']), publicEndpoint('world', ['0.0.0.0/0'], false)],
  },
  'EKS.ENCRYPTION.1': {
    pass: [anEksCluster({ name: 'kms' })],
    fail: [
      anEksCluster({ name: 'aws-owned-key', cluster: { encryptionConfig: undefined } }),
      anEksCluster({ name: 'old-no-kms', cluster: { version: '1.27', encryptionConfig: [] } }),
    ],
  },
  'EKS.LOGGING.1': {
    pass: [
      anEksCluster({ name: 'all-logs' }),
      anEksCluster({
        name: 'disabled-group-first',
        cluster: {
          logging: {
            clusterLogging: [
              { types: ['api', 'controllerManager', 'scheduler'], enabled: false },
              { types: ['audit', 'authenticator'], enabled: true },
            ],
          },
        },
      }),
    ],
    fail: [
      anEksCluster({ name: 'no-logging', cluster: { logging: undefined } }),
      anEksCluster({
        name: 'api-only',
        cluster: {
          logging: {
            clusterLogging: [
              { types: ['api'], enabled: true },
              { types: ['audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
            ],
          },
        },
      }),
    ],
  },
};
