import type { Addon, Cluster, Nodegroup } from '@aws-sdk/client-eks';
import type { AksClusterSnapshot } from './snapshot-aks.ts';
import type { GkeClusterSnapshot } from './snapshot-gke.ts';

export type { AksClusterSnapshot, GkeClusterSnapshot };

export type Provider = 'aws' | 'azure' | 'gcp';

/**
 * Something a check may need that could not be collected for this cluster.
 * `need` names the API action (`eks:DescribeCluster`) or data source (`k8s:aws-auth`);
 * the engine turns a gap into ERROR for every check whose `needs` include it.
 */
export interface CollectionGap {
  need: string;
  error: string;
  /** Machine-readable cause: AccessDenied, Throttled, NotFound, Unreachable, Malformed, Unknown. */
  code?: string;
}

export interface SnapshotBase {
  provider: Provider;
  /**
   * Stable id of the cluster resource: the ARN for EKS (always equal to `arn`), the Azure resource id, the GKE
   * self link. Cluster-level results use it as their resourceId, so a finding keeps its id across ERROR and PASS.
   */
  id: string;
  name: string;
  /** Where the cluster is billed and governed: AWS account id, Azure subscription id, GCP project id. */
  accountId: string;
  /** Where the cluster runs: AWS region, Azure location, GCP location (region or zone). */
  region: string;
  /** ISO time the snapshot was taken. Checks get "now" from the context, never from the clock. */
  collectedAt: string;
  gaps: CollectionGap[];
}

/** An EKS cluster as the EKS API describes it, plus what the checks need around it. */
export interface EksClusterSnapshot extends SnapshotBase {
  provider: 'aws';
  arn: string;
  /** `DescribeCluster().cluster`, as the SDK returned it. Undefined only when DescribeCluster failed (see gaps). */
  cluster: Cluster | undefined;
  nodegroups: Nodegroup[];
  addons: Addon[];
}

/** Provider-tagged union; each cloud's snapshot lives in its own file (snapshot-aks.ts, snapshot-gke.ts). */
export type ClusterSnapshot = EksClusterSnapshot | AksClusterSnapshot | GkeClusterSnapshot;

/** Where a cluster lives, in the provider's terms: used in findings and reports. */
export interface ClusterLocation {
  provider: Provider;
  accountId: string;
  region: string;
  clusterName: string;
  clusterId: string;
}

export function locationOf(s: ClusterSnapshot): ClusterLocation {
  return { provider: s.provider, accountId: s.accountId, region: s.region, clusterName: s.name, clusterId: s.id };
}
