import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { formatIssuePath } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { InsightSpecSchema } from './aws/eks-insights-spec.ts';
import { AWS_MANAGED_POLICIES, awsManagedPolicy } from './aws/managed-policies.ts';
import { AzureSpecSchema, azureIssues } from './azure/spec.ts';
import { GcpSpecSchema, gcpIssues } from './gcp/spec.ts';
import { deepMerge, type PlainObject } from './merge.ts';

/**
 * The fleet spec: the accounts, regions and clusters the simulated cloud serves.
 *
 * Cluster, node group and add-on entries use the EKS API's own field names and are
 * deep-merged over `defaults` (objects merge, arrays replace, `null` removes a key), so a spec
 * stays short yet can set anything `DescribeCluster`, `DescribeNodegroup` or `DescribeAddon`
 * returns. Unknown fields are errors, so a typo does not silently become a default.
 */

export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const ACCOUNT_ID = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits (quote it in YAML)');
const REGION = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'an AWS region looks like eu-west-1');
const ROLE_NAME = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (letters, digits and +=,.@_-; up to 64)');
const CLUSTER_NAME = z
  .string()
  .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'an EKS name: letters, digits, - and _, starting alphanumeric, up to 100');
const K8S_VERSION = z.string().regex(/^\d+\.\d+$/, 'a Kubernetes minor version like "1.31" (quote it in YAML)');
const KMS_KEY_ARN = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/,
    'a KMS key ARN like arn:aws:kms:REGION:ACCOUNT:key/ID',
  );
const TIMESTAMP = z.union([
  z.date(),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 time like 2024-03-01T12:00:00Z'),
]);
/** An ISO time, or a time relative to when the simulator starts (`now-400d`, `now+30d`), so a demo fleet stays current. */
export const RELATIVE_TIME = /^now([+-]\d{1,5})d$/;
const TIME_OR_OFFSET = z.union([
  z.date(),
  z
    .string()
    .refine(
      (s) => RELATIVE_TIME.test(s) || !Number.isNaN(Date.parse(s)),
      'an ISO 8601 time like 2024-03-01T12:00:00Z, or now-30d / now+30d',
    ),
]);
const CIDR = z.string().refine(isCidr, 'a CIDR block like 203.0.113.0/24 or ::/0');
const TAGS = z.record(z.string(), z.string());
const ANY = z.unknown();
const ACTION = z.string().regex(/^[a-z0-9-]+:[A-Za-z]+$/, 'an IAM action like eks:DescribeClusterVersions');

function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]!);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

/** Every field is optional and nullable: `null` removes a value a default would otherwise supply. */
function fields<T extends z.ZodRawShape>(shape: T) {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) out[k] = (v as z.ZodType).nullish();
  return out as { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };
}

const VpcConfigSchema = z.strictObject(
  fields({
    subnetIds: z.array(z.string()),
    securityGroupIds: z.array(z.string()),
    clusterSecurityGroupId: z.string(),
    vpcId: z.string(),
    endpointPublicAccess: z.boolean(),
    endpointPrivateAccess: z.boolean(),
    publicAccessCidrs: z.array(CIDR),
    controlPlaneEgressMode: z.string(),
  }),
);

const LoggingSchema = z.strictObject({
  clusterLogging: z.array(z.strictObject({ types: z.array(z.enum(EKS_LOG_TYPES)).min(1), enabled: z.boolean() })),
});

/** The real API accepts only `secrets` in `resources`; the sim passes any string through. */
const EncryptionConfigSchema = z.array(
  z.strictObject({
    resources: z.array(z.string()).min(1),
    provider: z.strictObject({ keyArn: KMS_KEY_ARN }),
  }),
);

const NodegroupFields = {
  nodegroupName: CLUSTER_NAME,
  nodegroupArn: z.string(),
  clusterName: z.string(),
  version: K8S_VERSION,
  releaseVersion: z.string(),
  createdAt: TIMESTAMP,
  modifiedAt: TIMESTAMP,
  status: z.string(),
  capacityType: z.string(),
  scalingConfig: z.strictObject(
    fields({ minSize: z.number().int(), maxSize: z.number().int(), desiredSize: z.number().int() }),
  ),
  instanceTypes: z.array(z.string()),
  subnets: z.array(z.string()),
  remoteAccess: z.strictObject(fields({ ec2SshKey: z.string(), sourceSecurityGroups: z.array(z.string()) })),
  amiType: z.string(),
  nodeRole: z.string(),
  labels: TAGS,
  taints: z.array(z.strictObject({ key: z.string(), value: z.string().optional(), effect: z.string() })),
  resources: ANY,
  diskSize: z.number().int(),
  health: ANY,
  updateConfig: ANY,
  nodeRepairConfig: ANY,
  launchTemplate: ANY,
  tags: TAGS,
  warmPoolConfig: ANY,
};
const NodegroupDefaultsSchema = z.strictObject(fields(NodegroupFields)).omit({ nodegroupName: true });
const NodegroupSpecSchema = z.strictObject({ ...fields(NodegroupFields), nodegroupName: CLUSTER_NAME });

const AddonFields = {
  addonName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]*$/, 'an add-on name like vpc-cni'),
  clusterName: z.string(),
  status: z.string(),
  addonVersion: z.string(),
  health: ANY,
  addonArn: z.string(),
  createdAt: TIMESTAMP,
  modifiedAt: TIMESTAMP,
  serviceAccountRoleArn: z.string(),
  tags: TAGS,
  publisher: z.string(),
  owner: z.string(),
  marketplaceInformation: ANY,
  configurationValues: z.string(),
  podIdentityAssociations: z.array(z.string()),
  namespaceConfig: ANY,
};
const AddonDefaultsSchema = z.strictObject(fields(AddonFields)).omit({ addonName: true });
const AddonSpecSchema = z.strictObject({ ...fields(AddonFields), addonName: AddonFields.addonName });

const IAM_NAME = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM name (letters, digits and +=,.@_-; up to 64)');
const IAM_PATH = z.string().regex(/^\/([\x21-\x7e]*\/)?$/, 'an IAM path like / or /teams/platform/');
const PRINCIPAL_ARN = z
  .string()
  .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/, 'an IAM principal ARN like arn:aws:iam::111122223333:role/NAME');
const ROLE_ARN = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/, 'a role ARN like arn:aws:iam::111122223333:role/NAME');
/** A policy document: a JSON object, or a string (served verbatim, so a spec may hold one IAM cannot parse). */
const POLICY_DOCUMENT = z.union([z.record(z.string(), z.unknown()), z.string()]);
const MANAGED_POLICY_ARN = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/\S+$/,
    'a managed policy ARN like arn:aws:iam::aws:policy/AdministratorAccess or arn:aws:iam::111122223333:policy/NAME',
  );
const POLICY_NAME = z
  .string()
  .regex(/^[\w+=,.@-]{1,128}$/, 'an IAM policy name (letters, digits and +=,.@_-; up to 128)');
/** Inline policies and attached managed policies of a user, group or role (GetAccountAuthorizationDetails). */
const PrincipalPolicyFields = {
  inlinePolicies: z.array(z.strictObject({ policyName: POLICY_NAME, policyDocument: POLICY_DOCUMENT })).default([]),
  /** AWS managed (the sim knows a few: sim/aws/managed-policies.ts) or the account's own `iam.policies`. */
  attachedPolicies: z.array(MANAGED_POLICY_ARN).default([]),
};
const ACCESS_POLICY_ARN = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/[A-Za-z]+$/,
    'an EKS access policy ARN like arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
  );
const K8S_NAME = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes name (lower-case, digits, - and .)');

const AccessEntrySpecSchema = z.strictObject({
  principalArn: PRINCIPAL_ARN,
  type: z
    .enum(['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'])
    .default('STANDARD'),
  kubernetesGroups: z.array(z.string().min(1)).default([]),
  username: z.string().min(1).optional(),
  policies: z
    .array(
      z.strictObject({
        policyArn: ACCESS_POLICY_ARN,
        accessScope: z
          .strictObject({ type: z.enum(['cluster', 'namespace']), namespaces: z.array(K8S_NAME).default([]) })
          .default({ type: 'cluster', namespaces: [] }),
      }),
    )
    .default([]),
});

const PodIdentitySpecSchema = z.strictObject({
  namespace: K8S_NAME,
  serviceAccount: K8S_NAME,
  roleArn: ROLE_ARN,
  targetRoleArn: ROLE_ARN.optional(),
  disableSessionTags: z.boolean().default(false),
});

/** Each list is either structured (served as YAML) or a raw string served verbatim (to simulate a broken ConfigMap). */
const AwsAuthSpecSchema = z.strictObject({
  mapRoles: z
    .union([
      z.array(
        z.strictObject({
          rolearn: z.string().min(1),
          username: z.string().optional(),
          groups: z.array(z.string()).optional(),
        }),
      ),
      z.string(),
    ])
    .optional(),
  mapUsers: z
    .union([
      z.array(
        z.strictObject({
          userarn: z.string().min(1),
          username: z.string().optional(),
          groups: z.array(z.string()).optional(),
        }),
      ),
      z.string(),
    ])
    .optional(),
  mapAccounts: z.union([z.array(ACCOUNT_ID), z.string()]).optional(),
});

/** What the simulated Kubernetes API does with the scanner: serve it, refuse it (403), or drop the connection. */
export const KUBERNETES_API_MODES = ['authorized', 'unauthorized', 'unreachable'] as const;

const METADATA_OPTIONS = z.strictObject({
  httpTokens: z.enum(['optional', 'required']).optional(),
  httpPutResponseHopLimit: z.number().int().min(1).max(64).optional(),
  httpEndpoint: z.enum(['enabled', 'disabled']).optional(),
});
const AMI_ID = z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id like ami-0abc1234def567890');

const LaunchTemplateSpecSchema = z.strictObject({
  launchTemplateName: z.string().regex(/^[a-zA-Z0-9()./_-]{3,128}$/, 'a launch template name (3-128 characters)'),
  /** The version node groups use; EC2 numbers versions from 1. */
  versionNumber: z.number().int().min(1).default(1),
  /** A custom AMI; omit to let EKS pick its optimized AMI for the node group's amiType. */
  imageId: AMI_ID.optional(),
  metadataOptions: METADATA_OPTIONS.default({ httpTokens: 'required', httpPutResponseHopLimit: 1 }),
});

const SelfManagedNodeSpecSchema = z.strictObject({
  instanceId: z
    .string()
    .regex(/^i-[0-9a-f]{8,17}$/, 'an instance id like i-0abc1234def567890')
    .optional(),
  imageId: AMI_ID,
  instanceType: z.string().default('m6i.large'),
  metadataOptions: METADATA_OPTIONS.default({ httpTokens: 'required', httpPutResponseHopLimit: 1 }),
  tags: TAGS.default({}),
  /** false: no `kubernetes.io/cluster/<name>` tag (a node tagged `eks:cluster-name` only, or for other clusters). */
  clusterTag: z.boolean().default(true),
  /** EC2's instance state: the scanner asks for live ones only (a terminated node is no longer the cluster's). */
  state: z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']).default('running'),
});

/** An AMI in an account's region (EC2 DescribeImages); `creationDate` may be relative (`now-200d`). */
const ImageSpecSchema = z.strictObject({
  imageId: AMI_ID,
  region: REGION,
  name: z.string().min(3),
  creationDate: TIME_OR_OFFSET,
  ownerId: ACCOUNT_ID.optional(),
});

/** The fields of EKS `Cluster`, plus the sim's `nodegroups`, `addons`, access/identity and node fields. */
const ClusterFields = {
  arn: z.string(),
  createdAt: TIMESTAMP,
  version: K8S_VERSION,
  endpoint: z.url(),
  roleArn: z.string(),
  resourcesVpcConfig: VpcConfigSchema,
  kubernetesNetworkConfig: ANY,
  logging: LoggingSchema,
  identity: ANY,
  status: z.string(),
  certificateAuthority: z.strictObject(fields({ data: z.string() })),
  clientRequestToken: z.string(),
  platformVersion: z.string(),
  tags: TAGS,
  encryptionConfig: EncryptionConfigSchema,
  connectorConfig: ANY,
  id: z.string(),
  health: ANY,
  outpostConfig: ANY,
  accessConfig: z.strictObject(
    fields({ authenticationMode: z.string(), bootstrapClusterCreatorAdminPermissions: z.boolean() }),
  ),
  upgradePolicy: z.strictObject(fields({ supportType: z.string() })),
  zonalShiftConfig: ANY,
  remoteNetworkConfig: ANY,
  computeConfig: ANY,
  storageConfig: ANY,
  deletionProtection: z.boolean(),
  controlPlaneScalingConfig: ANY,
  kubeApiServerConfig: ANY,
  kubeSchedulerConfig: ANY,
  kubeControllerManagerConfig: ANY,
  nodegroups: z.array(NodegroupSpecSchema),
  addons: z.array(AddonSpecSchema),
  /** Access entries (ListAccessEntries, DescribeAccessEntry, ListAssociatedAccessPolicies). */
  accessEntries: z.array(AccessEntrySpecSchema),
  podIdentityAssociations: z.array(PodIdentitySpecSchema),
  /** kube-system/aws-auth as the cluster's Kubernetes API serves it; absent: 404. */
  awsAuth: AwsAuthSpecSchema,
  /** Default: `unreachable` when the endpoint is private-only (the scanner is outside the VPC), else `authorized`. */
  kubernetesApi: z.enum(KUBERNETES_API_MODES),
  /** An IAM OIDC provider for this cluster's issuer exists in the account (IRSA set up). Default false. */
  oidcProvider: z.boolean(),
  /** Sim-only: EC2 launch templates in the cluster's account and region; node groups name them in `launchTemplate`. */
  launchTemplates: z.array(LaunchTemplateSpecSchema),
  /** Sim-only: EC2 instances tagged `kubernetes.io/cluster/<name>` that no managed node group owns. */
  selfManagedNodes: z.array(SelfManagedNodeSpecSchema),
  /** EKS insights (ListInsights, DescribeInsight; sim/aws/eks-insights-spec.ts). Absent: the usual set, all PASSING. */
  insights: z.array(InsightSpecSchema),
  /** Sim-only: ListInsights and DescribeInsight on this cluster answer AccessDeniedException (a per-cluster gap case). */
  insightsDenied: z.boolean(),
};

const ClusterDefaultsSchema = z.strictObject(fields(ClusterFields));
const ClusterSpecSchema = z.strictObject({
  ...fields(ClusterFields),
  name: CLUSTER_NAME,
  /** Where the cluster lives; one of its account's `enabledRegions`. */
  region: REGION,
});

const KmsKeySpecSchema = z.strictObject({
  keyId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a KMS key id is a lowercase UUID'),
  region: REGION,
  state: z.enum(['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable']).default('Enabled'),
  /** PendingDeletion only: when KMS deletes it (default: now+7d). */
  deletionDate: TIME_OR_OFFSET.optional(),
  /** Automatic rotation. */
  rotation: z.boolean().default(true),
  /** Accounts the key policy lets describe the key (a cross-account reader); others are refused. */
  grantTo: z.array(ACCOUNT_ID).default([]),
});

const AccountSpecSchema = z.strictObject({
  id: ACCOUNT_ID,
  alias: z.string().min(1).optional(),
  /** What EC2 DescribeRegions returns for this account. */
  enabledRegions: z.array(REGION).min(1),
  /** AssumeRole into this account is refused (AccessDenied). */
  denyAssumeRole: z.boolean().default(false),
  /** Overrides the fleet's `readerRoleName` for this account. */
  readerRoleName: ROLE_NAME.optional(),
  /** When set, AssumeRole must pass this ExternalId or is refused. */
  externalId: z.string().min(2).max(1224).optional(),
  clusters: z.array(ClusterSpecSchema).default([]),
  /**
   * IAM roles and users besides those the fleet implies (the reader role, cluster and node roles). Trust policies
   * are JSON objects (or strings); ListRoles serves them URL-encoded, as IAM does.
   */
  iam: z
    .strictObject({
      roles: z
        .array(
          z.strictObject({
            roleName: IAM_NAME,
            path: IAM_PATH.default('/'),
            assumeRolePolicyDocument: z.union([z.record(z.string(), z.unknown()), z.string()]),
            ...PrincipalPolicyFields,
            permissionsBoundary: MANAGED_POLICY_ARN.optional(),
          }),
        )
        .default([]),
      users: z
        .array(
          z.strictObject({
            userName: IAM_NAME,
            path: IAM_PATH.default('/'),
            /** Names of groups of this account's `iam.groups`. */
            groups: z.array(IAM_NAME).default([]),
            ...PrincipalPolicyFields,
            permissionsBoundary: MANAGED_POLICY_ARN.optional(),
          }),
        )
        .default([]),
      groups: z
        .array(z.strictObject({ groupName: IAM_NAME, path: IAM_PATH.default('/'), ...PrincipalPolicyFields }))
        .default([]),
      /** Customer managed policies (one version, the default); attached by ARN `arn:aws:iam::<account>:policy<path><name>`. */
      policies: z
        .array(z.strictObject({ policyName: POLICY_NAME, path: IAM_PATH.default('/'), document: POLICY_DOCUMENT }))
        .default([]),
    })
    .default({ roles: [], users: [], groups: [], policies: [] }),
  /**
   * Service control policies attached to this account (Organizations, served to the scanner's own account, the
   * organization's management account), besides the FullAWSAccess that AWS attaches to the root and to every account by
   * default; there are no OUs.
   */
  serviceControlPolicies: z.array(z.strictObject({ name: POLICY_NAME, document: POLICY_DOCUMENT })).default([]),
  /** Sim-only: API actions refused to this account with AccessDenied (`eks:DescribeClusterVersions`, `ssm:GetParameter`). */
  deniedActions: z.array(ACTION).default([]),
  /** Sim-only: AMIs of this account (custom AMIs used by launch templates and self-managed nodes). */
  images: z.array(ImageSpecSchema).default([]),
  /**
   * KMS keys of this account (DescribeKey, GetKeyRotationStatus). A key its own clusters name in encryptionConfig
   * exists without being listed (Enabled, rotating); list it to give it another state. Any other key id answers
   * NotFoundException, and another account asking answers AccessDeniedException unless `grantTo` names it.
   */
  kmsKeys: z.array(KmsKeySpecSchema).default([]),
  /** GuardDuty: which regions have a detector, and its EKS features. No entry: GuardDuty is off everywhere. */
  guardDuty: z
    .strictObject({
      regions: z.array(REGION).min(1),
      status: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
      eksAuditLogs: z.boolean().default(true),
      runtimeMonitoring: z.boolean().default(true),
    })
    .optional(),
});

const ClusterVersionSpecSchema = z.strictObject({
  clusterVersion: K8S_VERSION,
  releaseDate: TIME_OR_OFFSET,
  endOfStandardSupportDate: TIME_OR_OFFSET,
  endOfExtendedSupportDate: TIME_OR_OFFSET,
  defaultVersion: z.boolean().optional(),
  kubernetesPatchVersion: z.string().optional(),
});

/** Public data every account sees the same way: the EKS calendar, recommended node releases, add-on versions. */
const ReferencesSpecSchema = z.strictObject({
  /** What DescribeClusterVersions serves; default: AWS's calendar (collectors/aws/data/eks-versions.json). */
  clusterVersions: z.array(ClusterVersionSpecSchema).min(1).optional(),
  /** Recommended releases served as SSM public parameters, per AMI family. */
  releases: z
    .strictObject({
      /** AMI build date of the recommended AL2023 release: `<k8s>.<patch>-<date>`. */
      al2023: z
        .string()
        .regex(/^\d{8}$/, 'a build date like 20261110')
        .default('20261110'),
      /** AL2 likewise; AWS publishes AL2 AMIs only up to Kubernetes 1.32. */
      al2: z
        .string()
        .regex(/^\d{8}$/, 'a build date like 20251208')
        .default('20251208'),
      /** The Bottlerocket image_version, e.g. 1.50.0-4a0b3f71. */
      bottlerocket: z
        .string()
        .regex(/^\d+\.\d+\.\d+-[0-9a-f]{8}$/, 'a Bottlerocket version like 1.50.0-4a0b3f71')
        .default('1.50.0-4a0b3f71'),
    })
    .default({ al2023: '20261110', al2: '20251208', bottlerocket: '1.50.0-4a0b3f71' }),
  /** Extra or overriding SSM parameters, by name. */
  ssmParameters: z
    .record(z.string().regex(/^\/aws\/service\//, 'a public parameter under /aws/service/'), z.string())
    .default({}),
  /** DescribeAddonVersions: versions per add-on, newest first (the first is the default); replaces the built-in list. */
  addonVersions: z
    .record(z.string(), z.array(z.string().regex(/^v\d/, 'an add-on version like v1.19.2-eksbuild.1')).min(1))
    .default({}),
});

export const FleetSpecSchema = z.strictObject({
  caller: z
    .strictObject({
      /** The scanner's own account: its static keys sign everything the CLI does. */
      accountId: ACCOUNT_ID,
      /** The IAM user the static keys belong to. */
      userName: z
        .string()
        .regex(/^[\w+=,.@-]{1,64}$/)
        .default('kubeposture-scanner'),
      /** Fixed static keys (for reproducible runs). Default: fresh random keys per start. */
      accessKeyId: z
        .string()
        .regex(/^AKIA[A-Z0-9]{16}$/, 'AKIA followed by 16 capitals or digits')
        .optional(),
      secretAccessKey: z.string().min(8).optional(),
      /** API actions refused to the scanner's own account (public reference data is read with its keys). */
      deniedActions: z.array(ACTION).default([]),
    })
    .default({ accountId: '999999999999', userName: 'kubeposture-scanner', deniedActions: [] }),
  readerRoleName: ROLE_NAME.default('KubepostureReader'),
  references: ReferencesSpecSchema.default(ReferencesSpecSchema.parse({})),
  defaults: z
    .strictObject({
      cluster: ClusterDefaultsSchema.optional(),
      nodegroup: NodegroupDefaultsSchema.optional(),
      addon: AddonDefaultsSchema.optional(),
    })
    .default({}),
  accounts: z.array(AccountSpecSchema).default([]),
  /** Azure subscriptions with AKS clusters (sim/azure/spec.ts); absent: no Azure endpoint is served. */
  azure: AzureSpecSchema.optional(),
  /** Google Cloud projects with GKE clusters (sim/gcp/spec.ts); absent: no GKE endpoint is served. */
  gcp: GcpSpecSchema.optional(),
});

/**
 * What the account's IAM names must exist: attached and boundary policies (an AWS managed policy the sim knows, or one
 * of the account's `iam.policies`) and the groups users are in. Policy documents given as strings are served verbatim
 * (a sim may serve one IAM cannot parse), so they are not checked here.
 */
function iamReferenceIssues(
  account: z.output<typeof AccountSpecSchema>,
  at: string,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const own = new Set(account.iam.policies.map((p) => `arn:aws:iam::${account.id}:policy${p.path}${p.policyName}`));
  const groups = new Set(account.iam.groups.map((g) => g.groupName));
  const checkArn = (arn: string, path: string) => {
    if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) {
      if (!awsManagedPolicy(arn))
        issues.push({
          path,
          message: `${arn} is not an AWS managed policy the sim knows (${AWS_MANAGED_POLICIES.map((p) => p.name).join(', ')})`,
        });
    } else if (!own.has(arn)) {
      issues.push({ path, message: `${arn} is not one of this account's iam.policies` });
    }
  };
  for (const list of ['roles', 'users', 'groups'] as const) {
    (account.iam[list] as { attachedPolicies: string[]; permissionsBoundary?: string }[]).forEach((p, i) => {
      p.attachedPolicies.forEach((arn, j) => {
        checkArn(arn, `${at}.iam.${list}[${i}].attachedPolicies[${j}]`);
      });
      if (p.permissionsBoundary) checkArn(p.permissionsBoundary, `${at}.iam.${list}[${i}].permissionsBoundary`);
    });
  }
  account.iam.users.forEach((u, i) => {
    u.groups.forEach((g, j) => {
      if (!groups.has(g))
        issues.push({ path: `${at}.iam.users[${i}].groups[${j}]`, message: `${g} is not in iam.groups` });
    });
  });
  return issues;
}

export type FleetSpec = z.output<typeof FleetSpecSchema>;
export type FleetSpecInput = z.input<typeof FleetSpecSchema>;
export type AccountSpec = z.output<typeof AccountSpecSchema>;
export type ClusterSpec = z.output<typeof ClusterSpecSchema>;
export type NodegroupSpec = z.output<typeof NodegroupSpecSchema>;
export type AddonSpec = z.output<typeof AddonSpecSchema>;
export type LaunchTemplateSpec = z.output<typeof LaunchTemplateSpecSchema>;
export type SelfManagedNodeSpec = z.output<typeof SelfManagedNodeSpecSchema>;
export type ImageSpec = z.output<typeof ImageSpecSchema>;
export type ReferencesSpec = z.output<typeof ReferencesSpecSchema>;

interface Issue {
  path: string;
  message: string;
}

function zodIssuesOf(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) out.push({ path: formatIssuePath([...i.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: formatIssuePath(i.path), message: i.message });
    }
  }
  return out;
}

/** Rules that span fields: regions, uniqueness, and what the EKS API itself would refuse. */
function crossFieldIssues(spec: FleetSpec): Issue[] {
  const issues: Issue[] = [];
  const accountIds = new Map<string, number>();
  spec.accounts.forEach((account, a) => {
    const at = `accounts[${a}]`;
    const first = accountIds.get(account.id);
    if (first !== undefined) issues.push({ path: `${at}.id`, message: `${account.id} is already accounts[${first}]` });
    else accountIds.set(account.id, a);

    const regions = new Set<string>();
    account.enabledRegions.forEach((r, i) => {
      if (regions.has(r)) issues.push({ path: `${at}.enabledRegions[${i}]`, message: `${r} is listed twice` });
      regions.add(r);
    });

    for (const [list, key] of [
      ['roles', 'roleName'],
      ['users', 'userName'],
      ['groups', 'groupName'],
      ['policies', 'policyName'],
    ] as const) {
      const seen = new Map<string, number>();
      (account.iam[list] as { [k: string]: unknown }[]).forEach((item, i) => {
        const name = String(item[key]);
        const prev = seen.get(name);
        if (prev !== undefined)
          issues.push({ path: `${at}.iam.${list}[${i}].${key}`, message: `${name} is already iam.${list}[${prev}]` });
        else seen.set(name, i);
      });
    }
    account.iam.roles.forEach((r, i) => {
      if (typeof r.assumeRolePolicyDocument === 'string') {
        try {
          JSON.parse(r.assumeRolePolicyDocument);
        } catch {
          issues.push({ path: `${at}.iam.roles[${i}].assumeRolePolicyDocument`, message: 'not valid JSON' });
        }
      }
    });
    issues.push(...iamReferenceIssues(account, at));
    (account.guardDuty?.regions ?? []).forEach((r, i) => {
      if (!regions.has(r))
        issues.push({ path: `${at}.guardDuty.regions[${i}]`, message: `${r} is not in enabledRegions` });
    });
    account.images.forEach((image, i) => {
      if (!regions.has(image.region))
        issues.push({ path: `${at}.images[${i}].region`, message: `${image.region} is not in enabledRegions` });
    });

    const names = new Map<string, number>();
    account.clusters.forEach((cluster, c) => {
      const ct = `${at}.clusters[${c}]`;
      if (!regions.has(cluster.region)) {
        issues.push({
          path: `${ct}.region`,
          message: `${cluster.region} is not in enabledRegions (${account.enabledRegions.join(', ')})`,
        });
      }
      const key = `${cluster.region}/${cluster.name}`;
      const dup = names.get(key);
      if (dup !== undefined) {
        issues.push({
          path: `${ct}.name`,
          message: `${cluster.name} is already ${at}.clusters[${dup}] in ${cluster.region}`,
        });
      } else names.set(key, c);

      const merged = deepMerge<PlainObject>(spec.defaults.cluster as PlainObject, cluster as PlainObject);
      const vpc = (merged.resourcesVpcConfig ?? {}) as {
        endpointPublicAccess?: boolean;
        endpointPrivateAccess?: boolean;
      };
      if (vpc.endpointPublicAccess === false && vpc.endpointPrivateAccess !== true) {
        issues.push({
          path: `${ct}.resourcesVpcConfig`,
          message: 'endpointPublicAccess and endpointPrivateAccess cannot both be false (EKS refuses it)',
        });
      }
      const templates = new Set(((merged.launchTemplates ?? []) as PlainObject[]).map((t) => t.launchTemplateName));
      ((merged.nodegroups ?? []) as PlainObject[]).forEach((ng, i) => {
        const lt = ng.launchTemplate as { name?: unknown } | undefined;
        if (lt && !templates.has(lt.name)) {
          issues.push({
            path: `${ct}.nodegroups[${i}].launchTemplate.name`,
            message: `${String(lt.name)} is not in this cluster's launchTemplates (${[...templates].join(', ') || 'none'})`,
          });
        }
      });
      for (const [list, key] of [
        ['nodegroups', 'nodegroupName'],
        ['addons', 'addonName'],
        ['accessEntries', 'principalArn'],
        ['podIdentityAssociations', 'serviceAccount'],
        ['launchTemplates', 'launchTemplateName'],
      ] as const) {
        const seen = new Map<string, number>();
        ((merged[list] ?? []) as PlainObject[]).forEach((item, i) => {
          const name =
            list === 'podIdentityAssociations' ? `${String(item.namespace)}/${String(item[key])}` : String(item[key]);
          const prev = seen.get(name);
          if (prev !== undefined) {
            issues.push({ path: `${ct}.${list}[${i}].${key}`, message: `${name} is already ${list}[${prev}]` });
          } else seen.set(name, i);
        });
      }
    });
  });
  issues.push(...azureIssues(spec.azure), ...gcpIssues(spec.gcp));
  return issues;
}

/** Validates a fleet spec (already parsed from YAML or JSON); throws ConfigError naming every bad field. */
export function parseFleetSpec(raw: unknown, source = 'fleet spec'): FleetSpec {
  const result = FleetSpecSchema.safeParse(raw ?? {});
  const issues = result.success ? crossFieldIssues(result.data) : zodIssuesOf(result.error);
  if (result.success && issues.length === 0) return result.data;
  throw new ConfigError(`Invalid ${source}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, issues);
}

/** Reads and validates a fleet spec YAML file. */
export async function loadFleetSpec(path: string): Promise<FleetSpec> {
  const text = await readFile(path, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`Fleet spec ${path} is not valid YAML: ${(e as Error).message}`);
  }
  return parseFleetSpec(raw, `fleet spec ${path}`);
}
