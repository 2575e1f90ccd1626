import type { RoleAssignment, RoleDefinition } from '@azure/arm-authorization';
import type { AgentPoolUpgradeProfile, KubernetesVersion, ManagedCluster } from '@azure/arm-containerservice';
import type { Key, Vault } from '@azure/arm-keyvault';
import type { DiagnosticSettingsResource } from '@azure/arm-monitor';
import type { SnapshotBase } from './snapshot.ts';

/**
 * An AKS cluster as Azure Resource Manager describes it. `cluster` is the `managedClusters.list()` item as
 * the SDK returned it (flattened: `enableRbac`, `aadProfile.enableAzureRbac`), so a check reads like the
 * ARM reference. Everything read per cluster is `undefined` when it could not be collected (see `gaps`).
 */
export interface AksClusterSnapshot extends SnapshotBase {
  provider: 'azure';
  /** The ARM resource id; also `id`. */
  resourceGroup: string;
  cluster: ManagedCluster;
  /** `agentPools.getUpgradeProfile` per pool name: carries `latestNodeImageVersion`. */
  agentPoolUpgradeProfiles: Record<string, AgentPoolUpgradeProfile>;
  /** `diagnosticSettings.list(clusterId)`: where control-plane logs (kube-audit, ...) go. */
  diagnosticSettings: DiagnosticSettingsResource[] | undefined;
  /** `managedClusters.listKubernetesVersions(location)`: the versions AKS supports in the cluster's location. */
  kubernetesVersions: KubernetesVersion[] | undefined;
  /**
   * The Azure role assignments that apply to the cluster (at its scope, its resource group, its subscription and the
   * management groups above, as `roleAssignments.listForScope(clusterId, { filter: 'atScope()' })` returns them), and the
   * role definitions they reference. `undefined` when they could not be read (see `gaps`). Issue 13: who can become
   * cluster-admin through Azure RBAC.
   */
  roleAssignments?: AksRoleAssignments | undefined;
  // encryption key health (issue 15)
  /**
   * The Key Vault key behind `securityProfile.azureKeyVaultKms`, read through ARM (`collectors/azure/keyvault.ts`).
   * Absent when KMS is not enabled or names no key; present with no `key` when it could not be read (a `keyvault:*`
   * gap says why) or does not exist (`notFound`).
   */
  secretsKey?: AksSecretsKeyFacts;
}

/** What ARM says about the Key Vault key of `azureKeyVaultKms` and its vault. */
export interface AksSecretsKeyFacts {
  /** `azureKeyVaultKms.keyId` as the cluster names it: `https://VAULT.vault.azure.net/keys/NAME/VERSION`. */
  keyId: string;
  vaultName: string;
  keyName: string;
  /** The key version the cluster uses (AKS requires a versioned key id); undefined when the id names none. */
  keyVersion?: string;
  /** `vaults.get` (or the `vaults.listBySubscription` entry) as the SDK returned it; undefined when not read. */
  vault?: Vault;
  /** `keys.getVersion` for `keyVersion` (`keys.get` without one): its `attributes` say enabled, expires, notBefore. */
  key?: Key;
  /** ARM answered NotFound for the vault (by its resource id) or the key version: the key the cluster uses is gone. */
  notFound?: 'vault' | 'key';
}

/** `https://VAULT.vault.azure.net/keys/NAME[/VERSION]` (any Azure cloud's vault DNS suffix), or undefined. */
export function parseKeyVaultKeyId(
  keyId: string,
): { vaultName: string; keyName: string; keyVersion?: string } | undefined {
  const m =
    /^https:\/\/([a-z0-9-]{3,24})\.vault\.[a-z0-9.-]+\/keys\/([A-Za-z0-9-]{1,127})(?:\/([A-Za-z0-9]{1,64}))?\/?$/i.exec(
      keyId.trim(),
    );
  if (!m) return undefined;
  return { vaultName: m[1]!.toLowerCase(), keyName: m[2]!, ...(m[3] ? { keyVersion: m[3] } : {}) };
}

export interface AksRoleAssignments {
  /** As the SDK returned them. */
  assignments: RoleAssignment[];
  /** Every definition an assignment references, by its id lowercased (`/subscriptions/s/providers/.../roleDefinitions/guid`). */
  roleDefinitions: Record<string, RoleDefinition>;
}
