import type { protos } from '@google-cloud/container';
import type { protos as rmProtos } from '@google-cloud/resource-manager';
import type { SnapshotBase } from './snapshot.ts';

export type GkeCluster = protos.google.container.v1.ICluster;
export type GkeNodePool = protos.google.container.v1.INodePool;
export type GkeServerConfig = protos.google.container.v1.IServerConfig;
export type GcpIamPolicy = rmProtos.google.iam.v1.IPolicy;

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
  /**
   * The project's IAM policy and the custom roles its bindings use (issue 13: who can become cluster-admin through
   * Google Cloud IAM). `undefined` when the policy could not be read (see `gaps`).
   */
  projectIam?: GkeProjectIam | undefined;
}

export interface GkeProjectIam {
  /** `projects.getIamPolicy` (policy version 3: conditions included), as the SDK returned it. */
  policy: GcpIamPolicy;
  /** Custom roles (`projects/p/roles/r`, `organizations/o/roles/r`) a binding uses, with their permissions, by name. */
  customRoles: Record<string, { name: string; title?: string; includedPermissions: string[] }>;
  /** Custom roles that could not be read (`iam.roles.get`): a path check never passes while one is bound. */
  unresolvedRoles: { role: string; error: string }[];
  /** The organization's domains (`gcp.organizationDomains`): members of other domains are outside it. Empty: not set. */
  organizationDomains: string[];
}
