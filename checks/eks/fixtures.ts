/**
 * Example snapshots per check, keyed by check id: at least one that must PASS and one that must FAIL.
 * checks/catalogue.test.ts runs every check on its examples and fails when a check has none of either.
 * The same shapes make good clusters for the simulated fleet (sim/fleets/sample.yaml).
 */
import type { AuthenticationMode } from '@aws-sdk/client-eks';
import type { AwsAuthConfigMap, EksClusterSnapshot } from '../../core/snapshot.ts';
import {
  aNodegroup,
  anAccessEntry,
  anAddon,
  anEksCluster,
  aPodIdentityAssociation,
  aRole,
  aSecretsKey,
  iamFacts,
  irsaTrustPolicy,
  podIdentityTrustPolicy,
  roleArn,
  TEST_ADMIN_ROLE,
  TEST_OIDC_PROVIDER_ARN,
  userArn,
  withCustomAmi,
  withSelfManagedNode,
} from './builders.ts';
import { pathExamples } from './path-fixtures.ts';

/** A key of a central key account, used by a cluster of TEST_ACCOUNT. */
export const CROSS_ACCOUNT_KEY = 'arn:aws:kms:eu-west-1:444455556666:key/7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9';

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
  'EKS.ENCRYPTION.2': {
    pass: [anEksCluster({ name: 'key-enabled' })],
    fail: [
      anEksCluster({
        name: 'key-pending-deletion',
        secretsKey: aSecretsKey({
          metadata: { KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2026-06-20T00:00:00Z') },
        }),
      }),
      anEksCluster({
        name: 'key-disabled',
        secretsKey: aSecretsKey({ metadata: { KeyState: 'Disabled', Enabled: false } }),
      }),
      anEksCluster({ name: 'key-gone', secretsKey: aSecretsKey({ metadata: undefined, notFound: true }) }),
    ],
  },
  'EKS.ENCRYPTION.3': {
    pass: [anEksCluster({ name: 'key-rotates' })],
    fail: [anEksCluster({ name: 'key-not-rotated', secretsKey: aSecretsKey({ rotationEnabled: false }) })],
  },
  'EKS.ENCRYPTION.4': {
    pass: [anEksCluster({ name: 'own-key' })],
    fail: [
      anEksCluster({
        name: 'central-key',
        cluster: { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: CROSS_ACCOUNT_KEY } }] },
        secretsKey: aSecretsKey({ keyArn: CROSS_ACCOUNT_KEY, rotationEnabled: undefined }),
      }),
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
  // nodes and versions (issue 4); dates are relative to TEST_NOW (2026-06-01) and the test calendar.
  'EKS.VERSIONS.1': {
    pass: [anEksCluster({ name: 'k8s-134' })],
    fail: [
      anEksCluster({ name: 'k8s-133-ending-soon', cluster: { version: '1.33' } }),
      anEksCluster({ name: 'k8s-132-extended', cluster: { version: '1.32' } }),
      anEksCluster({ name: 'k8s-129-unsupported', cluster: { version: '1.29' } }),
    ],
  },
  'EKS.VERSIONS.2': {
    pass: [
      anEksCluster({ name: 'extended-but-far', cluster: { upgradePolicy: { supportType: 'EXTENDED' } } }),
      anEksCluster({
        name: 'standard-policy',
        cluster: { version: '1.33', upgradePolicy: { supportType: 'STANDARD' } },
      }),
    ],
    fail: [
      anEksCluster({ name: 'extended-near', cluster: { version: '1.33', upgradePolicy: { supportType: 'EXTENDED' } } }),
      anEksCluster({ name: 'paying-now', cluster: { version: '1.32', upgradePolicy: { supportType: 'EXTENDED' } } }),
    ],
  },
  'EKS.VERSIONS.3': {
    pass: [anEksCluster({ name: 'addons-current' })],
    fail: [
      anEksCluster({ name: 'cni-behind', addons: [anAddon('vpc-cni', 'v1.0.0-eksbuild.1')] }),
      anEksCluster({
        name: 'coredns-degraded',
        addons: [
          anAddon('coredns', 'v1.11.4-eksbuild.2', {
            health: { issues: [{ code: 'InsufficientNumberOfReplicas', message: 'The add-on is unhealthy' }] },
          }),
        ],
      }),
    ],
  },
  'EKS.NODES.1': {
    pass: [anEksCluster({ name: 'al2023' })],
    fail: [
      anEksCluster({
        name: 'al2',
        nodegroups: [aNodegroup({ amiType: 'AL2_x86_64', version: '1.32', releaseVersion: '1.32.3-20251208' })],
      }),
    ],
  },
  'EKS.NODES.2': {
    pass: [anEksCluster({ name: 'release-current' })],
    fail: [anEksCluster({ name: 'release-behind', nodegroups: [aNodegroup({ releaseVersion: '1.34.2-20260101' })] })],
  },
  'EKS.NODES.3': {
    pass: [anEksCluster({ name: 'young-ami', ...withCustomAmi({ ageDays: 30 }) })],
    fail: [
      anEksCluster({ name: 'old-ami', ...withCustomAmi({ ageDays: 200 }) }),
      anEksCluster({ name: 'old-self-managed', ...withSelfManagedNode({ ageDays: 400 }) }),
    ],
  },
  'EKS.NODES.4': {
    pass: [anEksCluster({ name: 'no-skew' })],
    fail: [anEksCluster({ name: 'skewed', nodegroups: [aNodegroup({ version: '1.33' })] })],
  },
  'EKS.NODES.5': {
    pass: [anEksCluster({ name: 'no-ssh' })],
    fail: [anEksCluster({ name: 'ssh-world', nodegroups: [aNodegroup({ remoteAccess: { ec2SshKey: 'ops' } })] })],
  },
  'EKS.NODES.6': {
    pass: [anEksCluster({ name: 'imdsv2', ...withCustomAmi({}) })],
    fail: [
      anEksCluster({
        name: 'imdsv1-hop2',
        ...withCustomAmi({ metadataOptions: { HttpTokens: 'optional', HttpPutResponseHopLimit: 2 } }),
      }),
      anEksCluster({
        name: 'self-managed-hop2',
        ...withSelfManagedNode({ metadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } }),
      }),
    ],
  },
  'EKS.HYGIENE.1': {
    pass: [anEksCluster({ name: 'prod-protected' })],
    fail: [anEksCluster({ name: 'prod-unprotected', cluster: { deletionProtection: false } })],
  },
  'EKS.LOGGING.2': {
    pass: [anEksCluster({ name: 'guardduty-on' })],
    fail: [anEksCluster({ name: 'guardduty-off', guardDuty: { detectors: [] } })],
  },
  // privilege paths (issue 13)
  ...pathExamples,
};
