import type {
  AccessEntry,
  Addon,
  AssociatedAccessPolicy,
  Cluster,
  Nodegroup,
  PodIdentityAssociation,
} from '@aws-sdk/client-eks';

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

interface SnapshotBase {
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
  // access and identity (issue 3)
  /** Access entries with their associated access policies; empty in CONFIG_MAP mode (the API refuses them). */
  accessEntries: EksAccessEntry[];
  /** `DescribePodIdentityAssociation().association` for every association. */
  podIdentityAssociations: PodIdentityAssociation[];
  /**
   * `kube-system/aws-auth`, read from the cluster's Kubernetes API. Undefined when it was not read: in `API` mode
   * (where EKS ignores it), or when it could not be read (then a `k8s:aws-auth` gap says why).
   */
  awsAuth?: AwsAuthConfigMap;
  /** IAM facts about the same-account roles and users that access entries, aws-auth and Pod Identity reference, by ARN. */
  iam: Record<string, IamPrincipalFacts>;
  /** ARNs of the account's IAM OIDC identity providers (`ListOpenIDConnectProviders`). */
  oidcProviders: string[];
  /** The account's roles whose trust policy names this cluster's OIDC issuer (IRSA), from one `ListRoles` walk. */
  irsaRoles: IamRoleFacts[];
}

export interface EksAccessEntry {
  entry: AccessEntry;
  policies: AssociatedAccessPolicy[];
}

/** The aws-auth ConfigMap, with its own field names (`rolearn`, `userarn`). */
export interface AwsAuthConfigMap {
  /** false: the ConfigMap does not exist (404), so it maps nobody. */
  exists: boolean;
  mapRoles: { rolearn: string; username?: string; groups?: string[] }[];
  mapUsers: { userarn: string; username?: string; groups?: string[] }[];
  /** Account ids whose every IAM principal is mapped to a username of its ARN. */
  mapAccounts: string[];
}

/** An IAM policy document, decoded from IAM's URL-encoded JSON and parsed, otherwise as IAM returned it. */
export type IamPolicyDocument = { Version?: string; Statement?: unknown } & Record<string, unknown>;

export interface IamRoleFacts {
  arn: string;
  roleName: string;
  /** Undefined when the document could not be parsed (the checks say so rather than guess). */
  trustPolicy: IamPolicyDocument | undefined;
}

export interface IamPrincipalFacts {
  arn: string;
  kind: 'role' | 'user';
  /** Whether a role or user of that name exists in the account now. */
  exists: boolean;
  /** Roles only. */
  trustPolicy?: IamPolicyDocument | undefined;
}

/** Provider-tagged union; AKS and GKE snapshots join it with their own interfaces. */
export type ClusterSnapshot = EksClusterSnapshot;

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
