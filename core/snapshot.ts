import type { Image, Instance, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type {
  AccessEntry,
  Addon,
  AddonInfo,
  AssociatedAccessPolicy,
  Cluster,
  ClusterVersionInformation,
  EncryptionConfig,
  Insight,
  InsightSummary,
  Nodegroup,
  PodIdentityAssociation,
} from '@aws-sdk/client-eks';
import type { GetDetectorResponse } from '@aws-sdk/client-guardduty';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { AksClusterSnapshot } from './snapshot-aks.ts';
import type { GkeClusterSnapshot } from './snapshot-gke.ts';
import type { IamAuthorization } from './snapshot-iam.ts';

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

  // nodes and versions (issue 4)
  /** Provider reference data for the cluster's region (versions calendar, recommended node releases, add-on versions). */
  references: EksReferences;
  /** The launch template versions node groups use, keyed by `launchTemplateVersionKey(id, version)`. */
  launchTemplates: Record<string, LaunchTemplateVersion>;
  /** EC2 `DescribeImages` for the AMIs of launch templates and self-managed nodes, by image id. */
  images: Record<string, Image>;
  /** EC2 instances tagged for this cluster that no managed node group owns (self-managed nodes, Karpenter, ...). */
  selfManagedNodes: Instance[];
  /** GuardDuty in the cluster's account and region; undefined only when it could not be read (see gaps). */
  guardDuty: GuardDutyFacts | undefined;
  // encryption key health (issue 15)
  /**
   * The KMS key that encrypts the cluster's Secrets, as KMS describes it. Absent when the cluster names no key
   * (or DescribeCluster failed); present with no `metadata` when KMS could not be read (a `kms:*` gap says why).
   */
  secretsKey?: EksSecretsKeyFacts;
  // upgrade insights (issue 15)
  /**
   * EKS cluster insights (`ListInsights`, then `DescribeInsight` for each one not PASSING). Undefined when they were
   * not read (an `eks:ListInsights` gap says why); `insights: []` when EKS answered and has none for the cluster.
   */
  insights?: EksInsightsFacts;
  // privilege paths (issue 13)
  /**
   * The account's IAM authorization (`GetAccountAuthorizationDetails`), the same object for every cluster of the
   * account. Undefined when it was not read; then an `iam:GetAccountAuthorizationDetails` gap says why, and exactly
   * the path checks (which need it) are ERROR.
   */
  iamAuthorization?: IamAuthorization;
}

/** The cluster's EKS insights: every summary ListInsights gave, and the full insight for each one not PASSING. */
export interface EksInsightsFacts {
  /** `ListInsights().insights`, every page, unfiltered (all categories, versions and statuses). */
  summaries: InsightSummary[];
  /** `DescribeInsight().insight` by insight id, for each summary whose status is not PASSING. */
  details: Record<string, Insight>;
}

/** What KMS says about the key of `encryptionConfig` (`kms:DescribeKey`, `kms:GetKeyRotationStatus`). */
export interface EksSecretsKeyFacts {
  /** As `encryptionConfig[].provider.keyArn` names it (a key ARN, or an alias ARN). */
  keyArn: string;
  /** `DescribeKey().KeyMetadata`; undefined when it was not read (see gaps) or the key does not exist (`notFound`). */
  metadata?: KeyMetadata;
  /** DescribeKey answered NotFoundException: the key is gone (deleted), so the cluster cannot decrypt its Secrets. */
  notFound?: boolean;
  /**
   * `GetKeyRotationStatus().KeyRotationEnabled`. Asked only for an Enabled or Disabled customer-managed key of the
   * cluster's own account with KMS-made key material; undefined otherwise or when it could not be read (see gaps).
   */
  rotationEnabled?: boolean;
}

/**
 * The `encryptionConfig` entry that puts a KMS key in charge of Secrets: `resources` includes `secrets`, or is absent
 * or empty (deprecated since 2025-03-05: EKS then encrypts all API data with the key).
 */
export function secretsKeyEntry(entries: readonly EncryptionConfig[] | undefined): EncryptionConfig | undefined {
  return (entries ?? []).find((e) => {
    if (!e.provider?.keyArn?.trim()) return false;
    const resources = e.resources ?? [];
    return resources.length === 0 || resources.includes('secrets');
  });
}

/** The account id in a KMS key or alias ARN (`arn:aws:kms:eu-west-1:111122223333:key/...`); undefined if not an ARN. */
export function kmsArnAccount(arn: string): string | undefined {
  return /^arn:[\w-]+:kms:[\w-]*:(\d{12}):/.exec(arn)?.[1];
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

/**
 * Where the Kubernetes version calendar came from: `DescribeClusterVersions`, or, only when that API could not be
 * read, kubeposture's dated fallback file (`retrieved` says how old it is; `error` why the API was not used).
 */
export interface ClusterVersionsReference {
  source: 'api' | 'fallback';
  versions: ClusterVersionInformation[];
  /** Fallback only: the date the fallback calendar was taken from AWS's published calendar. */
  retrieved?: string;
  /** Fallback only: why DescribeClusterVersions could not be used. */
  error?: string;
}

/** The release AWS recommends for one (Kubernetes version, AMI type), from its public SSM parameter. */
export interface RecommendedRelease {
  /** The SSM parameter read, e.g. `/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/standard/recommended/release_version`. */
  parameter: string;
  /** The parameter's value; undefined when AWS publishes no such parameter (ParameterNotFound). */
  releaseVersion?: string;
  /** When the parameter last changed (the recommended release's publication), if known. */
  lastModifiedDate?: Date;
}

export interface EksReferences {
  versions: ClusterVersionsReference;
  /**
   * Keyed by `recommendedReleaseKey(kubernetesVersion, amiType)`. A node group's key is absent when its AMI type
   * has no public recommended-release parameter (CUSTOM, Windows): the release check then says NOT_APPLICABLE.
   */
  recommendedReleases: Record<string, RecommendedRelease>;
  /** `DescribeAddonVersions` for the cluster's Kubernetes version, by add-on name. */
  addonVersions: Record<string, AddonInfo>;
}

/** GuardDuty detectors of the account and region; no detector means GuardDuty is off there. */
export interface GuardDutyFacts {
  detectors: (GetDetectorResponse & { detectorId: string })[];
}

export function recommendedReleaseKey(kubernetesVersion: string, amiType: string): string {
  return `${kubernetesVersion}/${amiType}`;
}

export function launchTemplateVersionKey(launchTemplateId: string, version: string | number): string {
  return `${launchTemplateId}:${version}`;
}

/** Provider-tagged union; each cloud's snapshot lives in its own file (snapshot-aks.ts, snapshot-gke.ts). */
export type ClusterSnapshot = EksClusterSnapshot | AksClusterSnapshot | GkeClusterSnapshot;
