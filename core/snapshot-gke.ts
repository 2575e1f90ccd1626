import type { protos } from '@google-cloud/container';
import type { SnapshotBase } from './snapshot.ts';

export type GkeCluster = protos.google.container.v1.ICluster;
export type GkeNodePool = protos.google.container.v1.INodePool;
export type GkeServerConfig = protos.google.container.v1.IServerConfig;

/**
 * A GKE cluster as the GKE API (`projects.locations.clusters.list`) describes it, as the SDK returned it.
 * Enum fields arrive as names (`GKE_METADATA`) or numbers, depending on the transport: read them through
 * `checks/gke/lib/enums.ts`.
 */
export interface GkeClusterSnapshot extends SnapshotBase {
  provider: 'gcp';
  cluster: GkeCluster;
  /** `getServerConfig` for the cluster's location: valid versions and release channels. */
  serverConfig: GkeServerConfig | undefined;
}
