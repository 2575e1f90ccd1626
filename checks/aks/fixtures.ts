/**
 * Example AKS snapshots per check id: at least one PASS and one FAIL, run by checks/catalogue.test.ts.
 * The same shapes appear in the sample fleet (sim/fleets/sample.yaml).
 */
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import {
  anAksCluster,
  aRoleAssignment,
  aSecretsKey,
  roleAssignmentsOf,
  TEST_AKS_VERSIONS,
  TEST_SUBSCRIPTION,
} from './builders.ts';

/** An agent pool on `version` (current and requested). */
export const aPool = (name: string, version: string) => ({
  name,
  mode: 'User' as const,
  orchestratorVersion: version,
  currentOrchestratorVersion: version,
});

import { TEST_NOW } from '../eks/builders.ts';

export interface AksExamples {
  pass: AksClusterSnapshot[];
  fail: AksClusterSnapshot[];
}

const good = anAksCluster({ name: 'well-configured' });
const defaults = anAksCluster({
  name: 'az-aks-create-defaults',
  cluster: {
    apiServerAccessProfile: { enablePrivateCluster: false },
    disableLocalAccounts: false,
    aadProfile: undefined,
    oidcIssuerProfile: { enabled: false },
    securityProfile: { workloadIdentity: undefined, azureKeyVaultKms: undefined },
    autoUpgradeProfile: { nodeOSUpgradeChannel: 'None' },
  },
  diagnosticSettings: [],
});

export const aksExamples: Record<string, AksExamples> = {
  'AKS.ENDPOINT.1': {
    pass: [
      good,
      anAksCluster({
        name: 'office-only',
        cluster: { apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ['203.0.113.0/24'] } },
      }),
    ],
    fail: [
      defaults,
      anAksCluster({
        name: 'world',
        cluster: { apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ['0.0.0.0/0'] } },
      }),
    ],
  },
  'AKS.ACCESS.1': { pass: [good], fail: [defaults] },
  'AKS.ACCESS.2': {
    pass: [good],
    fail: [
      defaults,
      anAksCluster({
        name: 'legacy-aad',
        cluster: {
          aadProfile: {
            managed: undefined,
            serverAppID: '00000000-0000-0000-0000-0000000000aa',
            clientAppID: '00000000-0000-0000-0000-0000000000bb',
          },
        },
      }),
      anAksCluster({ name: 'aad-not-managed', cluster: { aadProfile: { managed: false } } }),
    ],
  },
  'AKS.ACCESS.3': {
    pass: [good],
    fail: [defaults, anAksCluster({ name: 'k8s-rbac-only', cluster: { aadProfile: { enableAzureRbac: false } } })],
  },
  'AKS.ACCESS.4': { pass: [good], fail: [anAksCluster({ name: 'no-rbac', cluster: { enableRbac: false } })] },
  'AKS.IDENTITY.1': {
    pass: [good],
    fail: [defaults, anAksCluster({ name: 'wi-without-oidc', cluster: { oidcIssuerProfile: { enabled: false } } })],
  },
  'AKS.IDENTITY.2': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'pod-identity',
        cluster: {
          podIdentityProfile: {
            enabled: true,
            userAssignedIdentities: [{ name: 'billing', namespace: 'billing', identity: {} } as never],
          },
        },
      }),
    ],
  },
  'AKS.ENCRYPTION.1': {
    pass: [good],
    fail: [
      defaults,
      anAksCluster({
        name: 'disk-cmk-only',
        cluster: {
          securityProfile: { azureKeyVaultKms: undefined },
          diskEncryptionSetID: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des',
        },
      }),
    ],
  },
  // key health (issue 15)
  'AKS.ENCRYPTION.2': {
    pass: [good],
    fail: [
      anAksCluster({ name: 'key-disabled', secretsKey: aSecretsKey({ key: { attributes: { enabled: false } } }) }),
      anAksCluster({ name: 'key-deleted', secretsKey: aSecretsKey({ key: undefined, notFound: 'key' }) }),
    ],
  },
  'AKS.ENCRYPTION.3': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'key-expiring',
        secretsKey: aSecretsKey({
          key: { attributes: { expires: Math.floor(TEST_NOW.getTime() / 1000) + 10 * 86_400 } },
        }),
      }),
    ],
  },
  'AKS.ENCRYPTION.4': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'vault-open',
        cluster: { securityProfile: { azureKeyVaultKms: { keyVaultNetworkAccess: 'Public' } } },
        secretsKey: aSecretsKey({ vault: { properties: { publicNetworkAccess: 'Enabled', networkAcls: undefined } } }),
      }),
    ],
  },
  'AKS.LOGGING.1': {
    pass: [
      good,
      anAksCluster({
        name: 'audit-group',
        diagnosticSettings: [
          { name: 'all', storageAccountId: '/sa', logs: [{ categoryGroup: 'audit', enabled: true }] },
        ],
      }),
    ],
    fail: [
      defaults,
      anAksCluster({
        name: 'no-audit-category',
        diagnosticSettings: [
          {
            name: 'api',
            workspaceId: '/w',
            logs: [
              { category: 'kube-apiserver', enabled: true },
              { category: 'kube-audit', enabled: false },
            ],
          },
        ],
      }),
    ],
  },
  'AKS.NODES.1': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'stale-image',
        cluster: {
          agentPoolProfiles: [
            {
              name: 'system',
              currentOrchestratorVersion: '1.32.6',
              nodeImageVersion: 'AKSUbuntu-2204gen2containerd-202501.12.0',
            },
          ],
        },
      }),
    ],
  },
  'AKS.NODES.2': {
    pass: [good],
    fail: [
      defaults,
      anAksCluster({ name: 'unmanaged', cluster: { autoUpgradeProfile: { nodeOSUpgradeChannel: 'Unmanaged' } } }),
    ],
  },
  'AKS.VERSIONS.1': {
    pass: [
      good,
      anAksCluster({
        name: 'lts',
        cluster: { currentKubernetesVersion: '1.30.14', supportPlan: 'AKSLongTermSupport' },
      }),
    ],
    fail: [
      anAksCluster({ name: 'eol', cluster: { currentKubernetesVersion: '1.28.15' } }),
      anAksCluster({
        name: 'lts-only-without-plan',
        cluster: { currentKubernetesVersion: '1.30.14' },
        kubernetesVersions: TEST_AKS_VERSIONS,
      }),
    ],
  },
  'AKS.ACCESS.5': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'owners-everywhere',
        roleAssignments: roleAssignmentsOf(
          Array.from({ length: 11 }, (_, i) =>
            aRoleAssignment(
              'Owner',
              `1${String(i).padStart(7, '0')}-0000-4000-8000-000000000001`,
              `/subscriptions/${TEST_SUBSCRIPTION}`,
            ),
          ),
        ),
      }),
    ],
  },
  'AKS.ACCESS.6': {
    pass: [good],
    fail: [
      anAksCluster({
        name: 'partner-contributors',
        roleAssignments: roleAssignmentsOf([
          aRoleAssignment(
            'Contributor',
            '9f000000-0000-4000-8000-000000000001',
            `/subscriptions/${TEST_SUBSCRIPTION}/resourceGroups/rg-payments`,
            {
              principalType: 'ForeignGroup',
            },
          ),
        ]),
      }),
    ],
  },
  // agent pools on versions AKS no longer offers (issue 15)
  'AKS.VERSIONS.2': {
    pass: [
      good,
      anAksCluster({
        name: 'lts-pool',
        cluster: { supportPlan: 'AKSLongTermSupport', agentPoolProfiles: [aPool('lts', '1.30.14')] },
      }),
    ],
    fail: [
      anAksCluster({ name: 'pool-minor-gone', cluster: { agentPoolProfiles: [aPool('old', '1.28.15')] } }),
      anAksCluster({ name: 'pool-patch-gone', cluster: { agentPoolProfiles: [aPool('stale', '1.32.4')] } }),
      anAksCluster({ name: 'pool-lts-only', cluster: { agentPoolProfiles: [aPool('lts', '1.30.14')] } }),
    ],
  },
};
