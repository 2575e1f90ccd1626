import { createHash } from 'node:crypto';
import type {
  AccessEntry,
  Addon,
  AssociatedAccessPolicy,
  Cluster,
  Insight,
  Nodegroup,
  PodIdentityAssociation,
} from '@aws-sdk/client-eks';
import { type InsightSpec, resolveInsights } from './aws/eks-insights-spec.ts';
import { deepMerge, type PlainObject } from './merge.ts';
import { PATCH_VERSIONS, resolveTime, SimReferences } from './references.ts';
import type {
  AccountSpec,
  AddonSpec,
  ClusterSpec,
  FleetSpec,
  KUBERNETES_API_MODES,
  LaunchTemplateSpec,
  NodegroupSpec,
  SelfManagedNodeSpec,
} from './spec.ts';

/**
 * The fleet as the simulated cloud serves it: every cluster, node group and add-on fully
 * described, with the fields a real DescribeX returns. Built once from a FleetSpec; the
 * objects are live (a test may change one and the next API call shows it).
 *
 * Defaults are deterministic: the same spec always gives the same ARNs, endpoints, ids and
 * creation times, so finding ids and golden files are stable across runs.
 */

/** Regions every account has without opting in (what EC2 DescribeRegions calls opt-in-not-required). */
export const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
] as const;

/** Regions an account must opt into. */
export const OPT_IN_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
] as const;

export function isOptInRegion(region: string): boolean {
  return (
    (OPT_IN_REGIONS as readonly string[]).includes(region) || !(DEFAULT_REGIONS as readonly string[]).includes(region)
  );
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface SimCluster {
  accountId: string;
  region: string;
  cluster: Cluster;
  nodegroups: Nodegroup[];
  addons: Addon[];
  accessEntries: { entry: AccessEntry; policies: AssociatedAccessPolicy[] }[];
  podIdentityAssociations: PodIdentityAssociation[];
  /** The aws-auth ConfigMap's `data` (lists, or raw strings served verbatim); undefined: no ConfigMap (404). */
  awsAuth?: { mapRoles?: unknown; mapUsers?: unknown; mapAccounts?: unknown };
  /** Live: a test may flip it between scans. */
  kubernetesApi: (typeof KUBERNETES_API_MODES)[number];
  /** An IAM OIDC provider for the cluster's issuer exists in its account. */
  oidcProvider: boolean;
  /** EC2 launch templates of this cluster's node groups (account + region resources, kept with the cluster). */
  launchTemplates: SimLaunchTemplate[];
  /** EC2 instances tagged for this cluster, outside managed node groups. */
  selfManagedNodes: SimInstance[];
  /** EKS insights as DescribeInsight returns them; live. */
  insights: Insight[];
  /** ListInsights and DescribeInsight on this cluster are refused (AccessDeniedException); live. */
  insightsDenied: boolean;
}

/** An IAM role as ListRoles/GetRole describe it; the trust policy is kept as plain JSON text here. */
export interface SimRole {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  AssumeRolePolicyDocument: string;
  MaxSessionDuration: number;
}

export interface SimUser {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
}

export interface SimGroup {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: Date;
}

/** A managed policy as GetAccountAuthorizationDetails lists it; documents are JSON text here, URL-encoded on the wire. */
export interface SimManagedPolicy {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  versions: { VersionId: string; Document: string }[];
  CreateDate: Date;
}

export interface SimPrincipalPolicies {
  inline: { PolicyName: string; PolicyDocument: string }[];
  attached: string[];
  boundary?: string;
  /** Users only: the names of their groups. */
  groups?: string[];
}

export interface SimLaunchTemplate extends LaunchTemplateSpec {
  launchTemplateId: string;
  createTime: Date;
}

export interface SimInstance extends SelfManagedNodeSpec {
  instanceId: string;
  launchTime: Date;
}

export interface SimImage {
  imageId: string;
  region: string;
  name: string;
  creationDate: Date;
  ownerId: string;
}

export interface SimGuardDuty {
  detectorId: string;
  status: 'ENABLED' | 'DISABLED';
  eksAuditLogs: boolean;
  runtimeMonitoring: boolean;
  createdAt: Date;
}

export interface SimAccount {
  id: string;
  alias?: string;
  enabledRegions: string[];
  denyAssumeRole: boolean;
  /** The role a scanner may assume here. */
  readerRoleName: string;
  externalId?: string;
  clusters: SimCluster[];
  /** Live: tests may delete a role or user between scans. */
  iam: {
    roles: SimRole[];
    users: SimUser[];
    groups: SimGroup[];
    /** Customer managed policies. */
    policies: SimManagedPolicy[];
    /** What GetAccountAuthorizationDetails says of each role, user and group, by ARN (policies, boundary, groups). */
    authorization: Map<string, SimPrincipalPolicies>;
  };
  /** SCPs attached to the account itself, beside FullAWSAccess (served at the root and the account, as AWS attaches it). */
  serviceControlPolicies: { id: string; name: string; document: string }[];
  /** API actions (`ssm:GetParameter`) answered with AccessDenied for this account; live. */
  deniedActions: Set<string>;
  images: SimImage[];
  /** GuardDuty detectors by region. */
  guardDuty: Map<string, SimGuardDuty>;
  /** KMS keys by `<region>/<keyId>`; live, so a test may change a key's state between scans. */
  kmsKeys: Map<string, SimKmsKey>;
}

export interface SimKmsKey {
  keyId: string;
  region: string;
  state: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
  deletionDate?: Date;
  rotation: boolean;
  grantTo: string[];
}

/** `arn:aws:kms:<region>:<account>:key/<id>` → its parts; undefined for anything else (aliases, bare ids). */
export function parseKmsKeyArn(arn: string): { region: string; accountId: string; keyId: string } | undefined {
  const m = /^arn:[\w-]+:kms:([a-z0-9-]+):(\d{12}):key\/([\w-]+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, keyId: m[3]! } : undefined;
}

function startOfDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** The account's declared keys, plus an Enabled, rotating key for each own-account key its clusters name. */
function kmsKeysOf(a: FleetSpec['accounts'][number], clusters: SimCluster[], now: Date): Map<string, SimKmsKey> {
  const keys = new Map<string, SimKmsKey>();
  for (const c of clusters)
    for (const e of c.cluster.encryptionConfig ?? []) {
      const k = parseKmsKeyArn(e.provider?.keyArn ?? '');
      if (k && k.accountId === a.id)
        keys.set(`${k.region}/${k.keyId}`, {
          keyId: k.keyId,
          region: k.region,
          state: 'Enabled',
          rotation: true,
          grantTo: [],
        });
    }
  for (const k of a.kmsKeys)
    keys.set(`${k.region}/${k.keyId}`, {
      keyId: k.keyId,
      region: k.region,
      state: k.state,
      // To the day: two simulators started a moment apart (CLI and fan-out in one test) must report the same date.
      ...(k.state === 'PendingDeletion'
        ? { deletionDate: startOfDay(resolveTime(k.deletionDate ?? 'now+7d', now)) }
        : {}),
      rotation: k.rotation,
      grantTo: [...k.grantTo],
    });
  return keys;
}

export interface SimCaller {
  accountId: string;
  userName: string;
  arn: string;
}

export class SimFleet {
  readonly caller: SimCaller;
  readonly accounts = new Map<string, SimAccount>();
  /** Public reference data (EKS calendar, SSM parameters, add-on versions); live, so a test may change dates. */
  readonly references: SimReferences;
  /** API actions refused to the caller's own account (it reads the public reference data). */
  readonly callerDeniedActions: Set<string>;

  /** `now` anchors relative times in the spec (`now-200d`). */
  constructor(
    readonly spec: FleetSpec,
    now: Date = new Date(),
  ) {
    const { accountId, userName } = spec.caller;
    this.caller = { accountId, userName, arn: `arn:aws:iam::${accountId}:user/${userName}` };
    this.callerDeniedActions = new Set(spec.caller.deniedActions);
    this.references = new SimReferences(spec.references, now);
    for (const a of spec.accounts) {
      this.accounts.set(a.id, {
        id: a.id,
        ...(a.alias ? { alias: a.alias } : {}),
        enabledRegions: [...a.enabledRegions],
        denyAssumeRole: a.denyAssumeRole,
        readerRoleName: a.readerRoleName ?? spec.readerRoleName,
        ...(a.externalId ? { externalId: a.externalId } : {}),
        iam: { roles: [], users: [], groups: [], policies: [], authorization: new Map() },
        serviceControlPolicies: a.serviceControlPolicies.map((p) => ({
          id: `p-${hex(digest('scp', a.id, p.name), 8)}`,
          name: p.name,
          document: documentText(p.document),
        })),
        clusters: a.clusters.map((c) => resolveCluster(spec, a.id, c, this.references)),
        deniedActions: new Set(a.deniedActions),
        images: a.images.map((i) => ({
          imageId: i.imageId,
          region: i.region,
          name: i.name,
          creationDate: resolveTime(i.creationDate, now),
          ownerId: i.ownerId ?? a.id,
        })),
        guardDuty: guardDutyOf(a),
        kmsKeys: new Map(),
      });
      const account = this.accounts.get(a.id)!;
      account.iam = resolveIam(a, account, spec.caller.accountId);
      account.kmsKeys = kmsKeysOf(a, account.clusters, now);
    }
  }

  /** ARNs of the account's IAM OIDC providers: one per cluster with `oidcProvider: true`. */
  oidcProviders(accountId: string): string[] {
    const account = this.accounts.get(accountId);
    if (!account) return [];
    const arns = account.clusters
      .filter((c) => c.oidcProvider && c.cluster.identity?.oidc?.issuer)
      .map(
        (c) =>
          `arn:${partitionOf(c.region)}:iam::${accountId}:oidc-provider/${c.cluster.identity!.oidc!.issuer!.replace(/^https:\/\//, '')}`,
      );
    return [...new Set(arns)].sort();
  }

  /** Whether `action` (`eks:DescribeClusterVersions`) is refused to this account. */
  denies(accountId: string, action: string): boolean {
    const set =
      accountId === this.caller.accountId ? this.callerDeniedActions : this.accounts.get(accountId)?.deniedActions;
    return set?.has(action) ?? false;
  }

  /** A KMS key of an account of the fleet; undefined when the account or key does not exist. */
  kmsKey(accountId: string, region: string, keyId: string): SimKmsKey | undefined {
    return this.accounts.get(accountId)?.kmsKeys.get(`${region}/${keyId}`);
  }

  account(id: string): SimAccount | undefined {
    return this.accounts.get(id);
  }

  /** The regions DescribeRegions reports: an unlisted account (e.g. the caller's own) has the default set. */
  enabledRegions(accountId: string): string[] {
    return this.accounts.get(accountId)?.enabledRegions ?? [...DEFAULT_REGIONS];
  }

  clusters(accountId: string, region: string): SimCluster[] {
    return this.accounts.get(accountId)?.clusters.filter((c) => c.region === region) ?? [];
  }

  cluster(accountId: string, region: string, name: string): SimCluster | undefined {
    return this.clusters(accountId, region).find((c) => c.cluster.name === name);
  }

  /** Every cluster in the fleet, in spec order. */
  allClusters(): SimCluster[] {
    return [...this.accounts.values()].flatMap((a) => a.clusters);
  }
}

export function resolveFleet(spec: FleetSpec, now?: Date): SimFleet {
  return new SimFleet(spec, now);
}

function guardDutyOf(a: AccountSpec): Map<string, SimGuardDuty> {
  const out = new Map<string, SimGuardDuty>();
  for (const region of a.guardDuty?.regions ?? []) {
    const h = digest('guardduty', a.id, region);
    out.set(region, {
      detectorId: hex(h, 32),
      status: a.guardDuty!.status,
      eksAuditLogs: a.guardDuty!.eksAuditLogs,
      runtimeMonitoring: a.guardDuty!.runtimeMonitoring,
      createdAt: createdAtOf(h),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deterministic "random" values

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

function hex(bytes: Buffer, n: number): string {
  return bytes.toString('hex').slice(0, n);
}

function uuidOf(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A time in [2024-01-15, +400 days), to the millisecond. */
function createdAtOf(bytes: Buffer): Date {
  const base = Date.UTC(2024, 0, 15);
  return new Date(base + (bytes.readUInt32BE(0) % (400 * 86_400)) * 1000 + (bytes.readUInt16BE(4) % 1000));
}

function addMs(d: Date, ms: number): Date {
  return new Date(d.getTime() + ms);
}

const PLATFORM_VERSIONS: Record<string, string> = {
  '1.28': 'eks.47',
  '1.29': 'eks.40',
  '1.30': 'eks.35',
  '1.31': 'eks.31',
  '1.32': 'eks.17',
  '1.33': 'eks.9',
  '1.34': 'eks.4',
};

function addonDefaultVersion(name: string, k8s: string): string {
  switch (name) {
    case 'vpc-cni':
      return 'v1.19.2-eksbuild.1';
    case 'coredns':
      return 'v1.11.4-eksbuild.2';
    case 'kube-proxy':
      return `v${k8s}.${PATCH_VERSIONS[k8s] ?? 0}-eksbuild.2`;
    case 'aws-ebs-csi-driver':
      return 'v1.38.1-eksbuild.2';
    case 'eks-pod-identity-agent':
      return 'v1.3.4-eksbuild.1';
    default:
      return 'v1.0.0-eksbuild.1';
  }
}

function fakeCertificate(bytes: Buffer): string {
  // Placeholder until each cluster gets its own Kubernetes API server and CA.
  const body = Buffer.concat([bytes, bytes, bytes, bytes]).toString('base64');
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString('base64');
}

const toDate = (v: unknown): unknown => (typeof v === 'string' ? new Date(v) : v);

// ---------------------------------------------------------------------------------------------

function resolveCluster(spec: FleetSpec, accountId: string, c: ClusterSpec, refs: SimReferences): SimCluster {
  const { region, name } = c;
  const partition = partitionOf(region);
  const h = digest(accountId, region, name);
  const id = hex(h, 32).toUpperCase();
  const vpcHex = hex(digest('vpc', accountId, region, name), 17);
  const createdAt = createdAtOf(h);
  const subnets = ['a', 'b', 'c'].map((az) => `subnet-${hex(digest('subnet', accountId, region, name, az), 17)}`);
  const version = (c.version ?? spec.defaults.cluster?.version ?? '1.31') as string;

  const defaults: PlainObject = {
    name,
    arn: `arn:${partition}:eks:${region}:${accountId}:cluster/${name}`,
    createdAt,
    version,
    endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:${partition}:iam::${accountId}:role/${name}-eks-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: subnets,
      securityGroupIds: [],
      clusterSecurityGroupId: `sg-${hex(digest('sg', accountId, region, name), 17)}`,
      vpcId: `vpc-${vpcHex}`,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: '10.100.0.0/16',
      ipFamily: 'ipv4',
      elasticLoadBalancing: { enabled: false },
    },
    logging: {
      clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` } },
    status: 'ACTIVE',
    certificateAuthority: { data: fakeCertificate(h) },
    platformVersion: PLATFORM_VERSIONS[version] ?? 'eks.1',
    tags: {},
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true },
    upgradePolicy: { supportType: 'EXTENDED' },
    deletionProtection: false,
  };

  const merged = deepMerge<PlainObject>(deepMerge(defaults, spec.defaults.cluster as PlainObject), c as PlainObject);
  const {
    region: _region,
    nodegroups = [],
    addons = [],
    accessEntries = [],
    podIdentityAssociations = [],
    awsAuth,
    kubernetesApi,
    oidcProvider = false,
    launchTemplates: templateSpecs = [],
    selfManagedNodes: nodeSpecs = [],
    insights: insightSpecs,
    insightsDenied = false,
    ...cluster
  } = merged;
  cluster.createdAt = toDate(cluster.createdAt);
  const clusterVersion = String(cluster.version);
  const clusterCreated = cluster.createdAt as Date;
  const launchTemplates = (templateSpecs as LaunchTemplateSpec[]).map((t) => ({
    ...t,
    launchTemplateId: `lt-${hex(digest('lt', accountId, region, name, t.launchTemplateName), 17)}`,
    createTime: addMs(clusterCreated, 5 * 60_000),
  }));

  return {
    accountId,
    region,
    cluster: cluster as Cluster,
    nodegroups: (nodegroups as NodegroupSpec[]).map((ng) =>
      resolveNodegroup(
        spec,
        { accountId, region, name, version: clusterVersion, createdAt: clusterCreated, subnets },
        ng,
        refs,
        launchTemplates,
      ),
    ),
    launchTemplates,
    selfManagedNodes: (nodeSpecs as SelfManagedNodeSpec[]).map((n, i) => ({
      ...n,
      instanceId: n.instanceId ?? `i-${hex(digest('instance', accountId, region, name, String(i)), 17)}`,
      launchTime: addMs(clusterCreated, 30 * 60_000),
      tags: {
        ...(n.clusterTag ? { [`kubernetes.io/cluster/${name}`]: 'owned' } : {}),
        Name: `${name}-node-${i}`,
        ...n.tags,
      },
    })),
    addons: (addons as AddonSpec[]).map((a) =>
      resolveAddon(spec, { accountId, region, name, version: clusterVersion, createdAt: clusterCreated }, a),
    ),
    accessEntries: (accessEntries as AccessEntrySpec[]).map((e) =>
      resolveAccessEntry({ accountId, region, name, createdAt: clusterCreated }, e),
    ),
    podIdentityAssociations: (podIdentityAssociations as PodIdentitySpec[]).map((p) =>
      resolvePodIdentity({ accountId, region, name, createdAt: clusterCreated }, p),
    ),
    ...(awsAuth ? { awsAuth: awsAuth as SimCluster['awsAuth'] } : {}),
    kubernetesApi:
      (kubernetesApi as SimCluster['kubernetesApi'] | undefined) ??
      ((cluster.resourcesVpcConfig as { endpointPublicAccess?: boolean } | undefined)?.endpointPublicAccess === false
        ? 'unreachable'
        : 'authorized'),
    oidcProvider: oidcProvider as boolean,
    insights: resolveInsights((insightSpecs ?? undefined) as InsightSpec[] | undefined, {
      accountId,
      region,
      name,
      version: clusterVersion,
      createdAt: clusterCreated,
    }),
    insightsDenied: insightsDenied as boolean,
  };
}

type AccessEntrySpec = NonNullable<ClusterSpec['accessEntries']>[number];
type PodIdentitySpec = NonNullable<ClusterSpec['podIdentityAssociations']>[number];

function resolveAccessEntry(c: Omit<ClusterRef, 'version'>, e: AccessEntrySpec): SimCluster['accessEntries'][number] {
  const partition = partitionOf(c.region);
  const h = digest('access-entry', c.accountId, c.region, c.name, e.principalArn);
  const createdAt = addMs(c.createdAt, 20 * 60_000 + (h.readUInt16BE(6) % 600) * 1000);
  const [, , , , principalAccount = '', resource = ''] = e.principalArn.split(':');
  const [kind = 'role', ...rest] = resource.split('/');
  return {
    entry: {
      clusterName: c.name,
      principalArn: e.principalArn,
      kubernetesGroups: [...e.kubernetesGroups],
      accessEntryArn: `arn:${partition}:eks:${c.region}:${c.accountId}:access-entry/${c.name}/${kind}/${principalAccount}/${rest.at(-1) ?? ''}/${uuidOf(h)}`,
      createdAt,
      modifiedAt: createdAt,
      tags: {},
      username:
        e.username ??
        (kind === 'role'
          ? `${e.principalArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/{{SessionName}}`
          : e.principalArn),
      type: e.type,
    },
    policies: e.policies.map((p) => ({
      policyArn: p.policyArn,
      accessScope: { type: p.accessScope.type, namespaces: [...p.accessScope.namespaces] },
      associatedAt: createdAt,
      modifiedAt: createdAt,
    })),
  };
}

function resolvePodIdentity(c: Omit<ClusterRef, 'version'>, p: PodIdentitySpec): PodIdentityAssociation {
  const partition = partitionOf(c.region);
  const h = digest('pod-identity', c.accountId, c.region, c.name, p.namespace, p.serviceAccount);
  const associationId = `a-${hex(h, 17)}`;
  const createdAt = addMs(c.createdAt, 30 * 60_000 + (h.readUInt16BE(6) % 600) * 1000);
  return {
    clusterName: c.name,
    namespace: p.namespace,
    serviceAccount: p.serviceAccount,
    roleArn: p.roleArn,
    associationArn: `arn:${partition}:eks:${c.region}:${c.accountId}:podidentityassociation/${c.name}/${associationId}`,
    associationId,
    tags: {},
    createdAt,
    modifiedAt: createdAt,
    disableSessionTags: p.disableSessionTags,
    ...(p.targetRoleArn ? { targetRoleArn: p.targetRoleArn } : {}),
  };
}

function trust(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

const documentText = (d: string | Record<string, unknown>) => (typeof d === 'string' ? d : JSON.stringify(d));

/** What an EKS node role carries when nothing else is said: the three policies EKS documents for it. */
const NODE_ROLE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'];

type PrincipalPolicySpec = {
  inlinePolicies: { policyName: string; policyDocument: string | Record<string, unknown> }[];
  attachedPolicies: string[];
  permissionsBoundary?: string;
};

function principalPolicies(p: PrincipalPolicySpec, groups?: string[]): SimPrincipalPolicies {
  return {
    inline: p.inlinePolicies.map((i) => ({ PolicyName: i.policyName, PolicyDocument: documentText(i.policyDocument) })),
    attached: [...p.attachedPolicies],
    ...(p.permissionsBoundary ? { boundary: p.permissionsBoundary } : {}),
    ...(groups ? { groups: [...groups] } : {}),
  };
}

/** The account's roles and users: those the spec lists, plus those its clusters and the scanner imply. */
function resolveIam(a: AccountSpec, account: SimAccount, callerAccountId: string): SimAccount['iam'] {
  const partition = 'aws';
  const roles = new Map<string, SimRole>();
  const authorization = new Map<string, SimPrincipalPolicies>();
  const addRole = (roleName: string, path: string, document: string, policies?: SimPrincipalPolicies) => {
    if (roles.has(roleName)) return;
    authorization.set(`arn:${partition}:iam::${a.id}:role${path}${roleName}`, policies ?? { inline: [], attached: [] });
    const h = digest('role', a.id, roleName);
    roles.set(roleName, {
      Path: path,
      RoleName: roleName,
      RoleId: `AROA${hex(h, 17).toUpperCase()}`,
      Arn: `arn:${partition}:iam::${a.id}:role${path}${roleName}`,
      CreateDate: createdAtOf(h),
      AssumeRolePolicyDocument: document,
      MaxSessionDuration: 3600,
    });
  };
  for (const r of a.iam.roles) {
    const doc =
      typeof r.assumeRolePolicyDocument === 'string'
        ? r.assumeRolePolicyDocument
        : JSON.stringify(r.assumeRolePolicyDocument);
    addRole(r.roleName, r.path, doc, principalPolicies(r));
  }
  const sameAccountRole = (arn: string | undefined) => {
    const m = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn ?? '');
    return m && m[1] === a.id ? m[2] : undefined;
  };
  addRole(
    account.readerRoleName,
    '/',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${callerAccountId}:root` }, Action: 'sts:AssumeRole' },
      ],
    }),
  );
  for (const c of account.clusters) {
    const clusterRole = sameAccountRole(c.cluster.roleArn);
    const awsManaged = (names: string[]) => ({
      inline: [],
      attached: names.map((n) => `arn:${partition}:iam::aws:policy/${n}`),
    });
    if (clusterRole) addRole(clusterRole, '/', trust('eks.amazonaws.com'), awsManaged(['AmazonEKSClusterPolicy']));
    for (const ng of c.nodegroups) {
      const nodeRole = sameAccountRole(ng.nodeRole);
      if (nodeRole) addRole(nodeRole, '/', trust('ec2.amazonaws.com'), awsManaged(NODE_ROLE_POLICIES));
    }
  }
  const users = a.iam.users.map((u) => {
    const h = digest('user', a.id, u.userName);
    const arn = `arn:${partition}:iam::${a.id}:user${u.path}${u.userName}`;
    authorization.set(arn, principalPolicies(u, u.groups));
    return {
      Path: u.path,
      UserName: u.userName,
      UserId: `AIDA${hex(h, 17).toUpperCase()}`,
      Arn: arn,
      CreateDate: createdAtOf(h),
    };
  });
  const groups = a.iam.groups.map((g) => {
    const h = digest('group', a.id, g.groupName);
    const arn = `arn:${partition}:iam::${a.id}:group${g.path}${g.groupName}`;
    authorization.set(arn, principalPolicies(g));
    return {
      Path: g.path,
      GroupName: g.groupName,
      GroupId: `AGPA${hex(h, 17).toUpperCase()}`,
      Arn: arn,
      CreateDate: createdAtOf(h),
    };
  });
  const policies = a.iam.policies.map((p) => {
    const h = digest('policy', a.id, p.policyName);
    return {
      PolicyName: p.policyName,
      PolicyId: `ANPA${hex(h, 17).toUpperCase()}`,
      Arn: `arn:${partition}:iam::${a.id}:policy${p.path}${p.policyName}`,
      Path: p.path,
      DefaultVersionId: 'v1',
      versions: [{ VersionId: 'v1', Document: documentText(p.document) }],
      CreateDate: createdAtOf(h),
    };
  });
  return {
    roles: [...roles.values()].sort((x, y) => x.RoleName.localeCompare(y.RoleName)),
    users,
    groups,
    policies,
    authorization,
  };
}

interface ClusterRef {
  accountId: string;
  region: string;
  name: string;
  version: string;
  createdAt: Date;
}

function resolveNodegroup(
  spec: FleetSpec,
  c: ClusterRef & { subnets: string[] },
  ng: NodegroupSpec,
  refs: SimReferences,
  templates: SimLaunchTemplate[],
): Nodegroup {
  const partition = partitionOf(c.region);
  const h = digest('nodegroup', c.accountId, c.region, c.name, ng.nodegroupName);
  const uuid = uuidOf(h);
  const createdAt = addMs(c.createdAt, 15 * 60_000 + (h.readUInt16BE(6) % 600) * 1000);
  const layered = deepMerge<PlainObject>(spec.defaults.nodegroup as PlainObject, ng as PlainObject);
  const version = String(layered.version ?? c.version);
  const lt = layered.launchTemplate as { name?: string } | undefined;
  const template = lt ? templates.find((t) => t.launchTemplateName === lt.name) : undefined;
  // A launch template with its own AMI makes the node group CUSTOM, and EKS then reports the AMI id as release.
  const amiType = String(layered.amiType ?? (template?.imageId ? 'CUSTOM' : 'AL2023_x86_64_STANDARD'));
  const releaseVersion =
    amiType === 'CUSTOM' && template?.imageId ? template.imageId : refs.defaultReleaseVersion(version, amiType);
  const defaults: PlainObject = {
    nodegroupName: ng.nodegroupName,
    nodegroupArn: `arn:${partition}:eks:${c.region}:${c.accountId}:nodegroup/${c.name}/${ng.nodegroupName}/${uuid}`,
    clusterName: c.name,
    version,
    releaseVersion,
    createdAt,
    modifiedAt: addMs(createdAt, (h.readUInt32BE(8) % (90 * 86_400)) * 1000),
    status: 'ACTIVE',
    capacityType: 'ON_DEMAND',
    scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 },
    instanceTypes: ['m5.large'],
    subnets: c.subnets,
    amiType,
    nodeRole: `arn:${partition}:iam::${c.accountId}:role/${c.name}-eks-node-role`,
    labels: {},
    resources: { autoScalingGroups: [{ name: `eks-${ng.nodegroupName}-${uuid}` }] },
    diskSize: 20,
    health: { issues: [] },
    updateConfig: { maxUnavailable: 1 },
    nodeRepairConfig: { enabled: false },
    tags: {},
  };
  const out = deepMerge<PlainObject>(defaults, layered);
  out.createdAt = toDate(out.createdAt);
  out.modifiedAt = toDate(out.modifiedAt);
  if (template) {
    out.launchTemplate = {
      name: template.launchTemplateName,
      version: String(template.versionNumber),
      id: template.launchTemplateId,
    };
    // EKS refuses remoteAccess together with a launch template, and reports none.
    delete out.remoteAccess;
  }
  return out as Nodegroup;
}

function resolveAddon(spec: FleetSpec, c: ClusterRef, a: AddonSpec): Addon {
  const partition = partitionOf(c.region);
  const h = digest('addon', c.accountId, c.region, c.name, a.addonName);
  const createdAt = addMs(c.createdAt, 10 * 60_000 + (h.readUInt16BE(6) % 600) * 1000);
  const defaults: PlainObject = {
    addonName: a.addonName,
    clusterName: c.name,
    status: 'ACTIVE',
    addonVersion: addonDefaultVersion(a.addonName, c.version),
    health: { issues: [] },
    addonArn: `arn:${partition}:eks:${c.region}:${c.accountId}:addon/${c.name}/${a.addonName}/${uuidOf(h)}`,
    createdAt,
    modifiedAt: addMs(createdAt, (h.readUInt32BE(8) % (90 * 86_400)) * 1000),
    tags: {},
    publisher: 'eks',
    owner: 'aws',
    podIdentityAssociations: [],
  };
  const out = deepMerge<PlainObject>(deepMerge(defaults, spec.defaults.addon as PlainObject), a as PlainObject);
  out.createdAt = toDate(out.createdAt);
  out.modifiedAt = toDate(out.modifiedAt);
  return out as Addon;
}
