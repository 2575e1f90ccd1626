/**
 * Example snapshots per check, keyed by check id: at least one that must PASS and one that must FAIL.
 * checks/catalogue.test.ts runs every check on its examples and fails when a check has none of either.
 * The same shapes make good clusters for the simulated fleet (sim/fleets/sample.yaml).
 */
import type { AuthenticationMode } from '@aws-sdk/client-eks';
import type { AwsAuthConfigMap, EksClusterSnapshot } from '../../core/snapshot.ts';
import {
  anAccessEntry,
  anEksCluster,
  aPodIdentityAssociation,
  aRole,
  iamFacts,
  irsaTrustPolicy,
  podIdentityTrustPolicy,
  roleArn,
  TEST_ADMIN_ROLE,
  TEST_OIDC_PROVIDER_ARN,
  userArn,
} from './builders.ts';

export interface CheckExamples {
  pass: EksClusterSnapshot[];
  fail: EksClusterSnapshot[];
}

const publicEndpoint = (name: string, publicAccessCidrs: string[] | undefined, endpointPrivateAccess = true) =>
  anEksCluster({
    name,
    cluster: { resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess, publicAccessCidrs } },
  });

/** A parsed aws-auth ConfigMap; exists unless said otherwise. */
export function anAwsAuth(a: Partial<AwsAuthConfigMap> = {}): AwsAuthConfigMap {
  return { exists: true, mapRoles: [], mapUsers: [], mapAccounts: [], ...a };
}

const NODE_ROLE = roleArn('payments-prod-node-role');
const nodeMapping = {
  rolearn: NODE_ROLE,
  username: 'system:node:{{EC2PrivateDNSName}}',
  groups: ['system:bootstrappers', 'system:nodes'],
};
const mastersMapping = { rolearn: roleArn('legacy-admin'), username: 'admin', groups: ['system:masters'] };

const mode = (
  name: string,
  authenticationMode: AuthenticationMode,
  awsAuth?: AwsAuthConfigMap,
  extra: Partial<EksClusterSnapshot> = {},
) =>
  anEksCluster({ name, cluster: { accessConfig: { authenticationMode } }, ...(awsAuth ? { awsAuth } : {}), ...extra });

const withIrsa = (name: string, trust = irsaTrustPolicy(), extra: Partial<EksClusterSnapshot> = {}) =>
  anEksCluster({
    name,
    irsaRoles: [aRole('payments-irsa', trust)],
    oidcProviders: [TEST_OIDC_PROVIDER_ARN],
    ...extra,
  });

export const examples: Record<string, CheckExamples> = {
  'EKS.ACCESS.1': {
    pass: [
      anEksCluster({ name: 'api-mode' }),
      mode('both-empty-aws-auth', 'API_AND_CONFIG_MAP', anAwsAuth({ exists: false })),
    ],
    fail: [
      mode('config-map', 'CONFIG_MAP', anAwsAuth({ mapRoles: [nodeMapping] })),
      mode('both-unmigrated', 'API_AND_CONFIG_MAP', anAwsAuth({ mapRoles: [nodeMapping, mastersMapping] })),
    ],
  },
  'EKS.ACCESS.2': {
    pass: [
      anEksCluster({ name: 'api-mode' }),
      mode('nodes-only', 'CONFIG_MAP', anAwsAuth({ mapRoles: [nodeMapping] })),
    ],
    fail: [
      mode('masters', 'API_AND_CONFIG_MAP', anAwsAuth({ mapRoles: [nodeMapping, mastersMapping] })),
      mode('accounts', 'CONFIG_MAP', anAwsAuth({ mapAccounts: ['444455556666'] })),
    ],
  },
  'EKS.ACCESS.3': {
    pass: [anEksCluster({ name: 'one-admin-role' })],
    fail: [
      anEksCluster({
        name: 'user-admin',
        accessEntries: [anAccessEntry(userArn('alice'), { policies: ['AmazonEKSClusterAdminPolicy'] })],
        iam: iamFacts({ arn: userArn('alice'), kind: 'user', exists: true }),
      }),
      mode(
        'foreign-masters',
        'API_AND_CONFIG_MAP',
        anAwsAuth({ mapRoles: [{ rolearn: roleArn('ops', '444455556666'), groups: ['system:masters'] }] }),
      ),
    ],
  },
  'EKS.ACCESS.4': {
    pass: [anEksCluster({ name: 'no-bootstrap' })],
    fail: [
      anEksCluster({ name: 'bootstrap', cluster: { accessConfig: { bootstrapClusterCreatorAdminPermissions: true } } }),
    ],
  },
  'EKS.ACCESS.5': {
    pass: [anEksCluster({ name: 'all-exist' })],
    fail: [
      anEksCluster({
        name: 'deleted-admin',
        iam: iamFacts({ arn: TEST_ADMIN_ROLE, kind: 'role', exists: false }),
        podIdentityAssociations: [],
      }),
    ],
  },
  'EKS.IDENTITY.1': {
    pass: [
      anEksCluster({ name: 'agent-addon' }),
      anEksCluster({ name: 'auto-mode', addons: [], cluster: { computeConfig: { enabled: true } } }),
    ],
    fail: [anEksCluster({ name: 'no-agent', addons: [] })],
  },
  'EKS.IDENTITY.2': {
    pass: [anEksCluster({ name: 'good-trust' })],
    fail: [
      anEksCluster({
        name: 'no-tag-session',
        podIdentityAssociations: [aPodIdentityAssociation('payments', 'api', roleArn('no-tag'))],
        iam: iamFacts({
          arn: roleArn('no-tag'),
          kind: 'role',
          exists: true,
          trustPolicy: podIdentityTrustPolicy(['sts:AssumeRole']),
        }),
      }),
    ],
  },
  'EKS.IDENTITY.3': {
    pass: [anEksCluster({ name: 'no-irsa' }), withIrsa('scoped-irsa')],
    fail: [
      withIrsa('no-sub', irsaTrustPolicy({ aud: 'sts.amazonaws.com' })),
      withIrsa(
        'wildcard-sub',
        irsaTrustPolicy({ sub: 'system:serviceaccount:*', aud: 'sts.amazonaws.com', operator: 'StringLike' }),
      ),
    ],
  },
  'EKS.IDENTITY.4': {
    pass: [anEksCluster({ name: 'no-irsa' }), withIrsa('provider-present')],
    fail: [withIrsa('provider-deleted', irsaTrustPolicy(), { oidcProviders: [] })],
  },
  'EKS.IDENTITY.5': {
    pass: [anEksCluster({ name: 'pod-identity' }), withIrsa('both')],
    fail: [withIrsa('irsa-only', irsaTrustPolicy(), { podIdentityAssociations: [] })],
  },

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
