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
}
