import type { RoleAssignment, RoleDefinition } from '@azure/arm-authorization';
import type { AgentPoolUpgradeProfile, KubernetesVersion, ManagedCluster } from '@azure/arm-containerservice';
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
}

export interface AksRoleAssignments {
  /** As the SDK returned them. */
  assignments: RoleAssignment[];
  /** Every definition an assignment references, by its id lowercased (`/subscriptions/s/providers/.../roleDefinitions/guid`). */
  roleDefinitions: Record<string, RoleDefinition>;
}
