/**
 * Test builders for EKS snapshots. `anEksCluster()` is a complete, realistic cluster that passes every
 * check: private endpoint only, secrets encrypted with a customer-managed KMS key, all control-plane
 * log types on. Tests override only what they are about.
 */
import type {
  Image,
  Instance,
  LaunchTemplateInstanceMetadataOptions,
  LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import type {
  AccessEntry,
  Addon,
  AddonInfo,
  Cluster,
  ClusterVersionInformation,
  Nodegroup,
  PodIdentityAssociation,
} from '@aws-sdk/client-eks';
import type { KeyMetadata } from '@aws-sdk/client-kms';
import type { z } from 'zod';
import { principalOf } from '../../core/aws-arn.ts';
import type { CheckResult, EvalContext } from '../../core/check.ts';
import { CheckSettingsSchema } from '../../core/config.ts';
import {
  type EksAccessEntry,
  type EksClusterSnapshot,
  type EksReferences,
  type EksSecretsKeyFacts,
  type GuardDutyFacts,
  type IamPolicyDocument,
  type IamPrincipalFacts,
  type IamRoleFacts,
  launchTemplateVersionKey,
  recommendedReleaseKey,
} from '../../core/snapshot.ts';
import type { IamAuthorization, IamAuthRole } from '../../core/snapshot-iam.ts';
import { anIamAuthorization, anIamRole, aPodRole } from './iam-builders.ts';

/** The fixed clock of every test: checks get "now" from the context, never from Date.now(). */
export const TEST_NOW = new Date('2026-06-01T12:00:00.000Z');

export const TEST_ACCOUNT = '111122223333';
export const TEST_REGION = 'eu-west-1';
export const TEST_KMS_KEY_ARN = `arn:aws:kms:${TEST_REGION}:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Objects are merged key by key; arrays, Dates and scalars replace; an explicit `undefined` removes the field. */
export type DeepPartial<T> = T extends Date | readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

export interface EksClusterOverrides extends Partial<Omit<EksClusterSnapshot, 'cluster' | 'provider'>> {
  /** Deep-merged into the default cluster; `cluster: undefined` builds a snapshot whose DescribeCluster data is missing. */
  cluster?: DeepPartial<Cluster> | undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

export function deepMerge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k])) out[k] = deepMerge(out[k], v as DeepPartial<unknown>);
    else out[k] = v;
  }
  return out as T;
}

export function eksClusterArn(accountId: string, region: string, name: string): string {
  return `arn:aws:eks:${region}:${accountId}:cluster/${name}`;
}

function defaultCluster(name: string, accountId: string, region: string, arn: string): Cluster {
  return {
    name,
    arn,
    createdAt: new Date('2025-03-14T09:26:53.000Z'),
    version: '1.34',
    endpoint: `https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${accountId}:role/${name}-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829', 'subnet-0c3d4e5f607182930'],
      securityGroupIds: ['sg-0123456789abcdef0'],
      clusterSecurityGroupId: 'sg-0fedcba9876543210',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      // DescribeCluster keeps reporting the default allow-list even while the public endpoint is off.
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4' },
    logging: {
      clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }],
    },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9` } },
    status: 'ACTIVE',
    certificateAuthority: { data: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
    platformVersion: 'eks.9',
    tags: { team: 'platform', environment: 'production' },
    encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: TEST_KMS_KEY_ARN } }],
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
    upgradePolicy: { supportType: 'STANDARD' },
    zonalShiftConfig: { enabled: false },
    deletionProtection: true,
  };
}

function defaultNodegroup(clusterName: string, accountId: string, region: string, name = 'general'): Nodegroup {
  return {
    nodegroupName: name,
    nodegroupArn: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/${name}/8ec6f5a2-1b2c-3d4e-5f60-718293a4b5c6`,
    clusterName,
    version: '1.34',
    releaseVersion: TEST_AL2023_RELEASE,
    createdAt: new Date('2025-03-14T09:41:02.000Z'),
    status: 'ACTIVE',
    capacityType: 'ON_DEMAND',
    scalingConfig: { minSize: 3, maxSize: 9, desiredSize: 3 },
    instanceTypes: ['m7i.large'],
    subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829', 'subnet-0c3d4e5f607182930'],
    amiType: 'AL2023_x86_64_STANDARD',
    nodeRole: `arn:aws:iam::${accountId}:role/${clusterName}-node-role`,
    labels: {},
    diskSize: 20,
    health: { issues: [] },
    updateConfig: { maxUnavailable: 1 },
    tags: {},
  };
}

function defaultAddons(clusterName: string, accountId: string, region: string): Addon[] {
  const addon = (addonName: string, addonVersion: string): Addon => ({
    addonName,
    clusterName,
    status: 'ACTIVE',
    addonVersion,
    addonArn: `arn:aws:eks:${region}:${accountId}:addon/${clusterName}/${addonName}/2ac6f5a2-1b2c-3d4e-5f60-718293a4b5c6`,
    health: { issues: [] },
  });
  return [
    addon('vpc-cni', 'v1.19.2-eksbuild.1'),
    addon('coredns', 'v1.11.4-eksbuild.2'),
    addon('kube-proxy', 'v1.34.1-eksbuild.2'),
    addon('eks-pod-identity-agent', 'v1.3.4-eksbuild.1'),
  ];
}

export const ACCESS_POLICY = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;
export const roleArn = (name: string, accountId = TEST_ACCOUNT) => `arn:aws:iam::${accountId}:role/${name}`;
export const userArn = (name: string, accountId = TEST_ACCOUNT) => `arn:aws:iam::${accountId}:user/${name}`;

/** A STANDARD access entry with the given access policies (each at cluster scope unless namespaces are given). */
export function anAccessEntry(
  principalArn: string,
  o: {
    policies?: (string | { name: string; namespaces: string[] })[];
    kubernetesGroups?: string[];
    type?: string;
    clusterName?: string;
  } = {},
): EksAccessEntry {
  const clusterName = o.clusterName ?? 'payments-prod';
  const entry: AccessEntry = {
    clusterName,
    principalArn,
    kubernetesGroups: o.kubernetesGroups ?? [],
    accessEntryArn: `arn:aws:eks:${TEST_REGION}:${TEST_ACCOUNT}:access-entry/${clusterName}/role/${TEST_ACCOUNT}/x/0ac6f5a2`,
    createdAt: new Date('2025-03-14T09:30:00.000Z'),
    modifiedAt: new Date('2025-03-14T09:30:00.000Z'),
    tags: {},
    username: principalArn,
    type: o.type ?? 'STANDARD',
  };
  return {
    entry,
    policies: (o.policies ?? []).map((p) =>
      typeof p === 'string'
        ? { policyArn: ACCESS_POLICY(p), accessScope: { type: 'cluster', namespaces: [] } }
        : { policyArn: ACCESS_POLICY(p.name), accessScope: { type: 'namespace', namespaces: p.namespaces } },
    ),
  };
}

const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

/** EKS's published calendar, as DescribeClusterVersions returns it (dates only; checks never read `status`). */
export const TEST_CALENDAR: ClusterVersionInformation[] = [
  ['1.35', '2026-01-27', '2027-03-27', '2028-03-27'],
  ['1.34', '2025-10-02', '2026-12-02', '2027-12-02'],
  ['1.33', '2025-05-29', '2026-07-29', '2027-07-29'],
  ['1.32', '2025-01-23', '2026-03-23', '2027-03-23'],
  ['1.31', '2024-09-26', '2025-11-26', '2026-11-26'],
  ['1.30', '2024-05-23', '2025-07-23', '2026-07-23'],
  ['1.29', '2024-01-23', '2025-03-23', '2026-03-23'],
].map(([clusterVersion, released, standard, extended]) => ({
  clusterVersion,
  clusterType: 'eks',
  releaseDate: day(released!),
  endOfStandardSupportDate: day(standard!),
  endOfExtendedSupportDate: day(extended!),
}));

/** The recommended AL2023 release in the test references, and what the default node group runs. */
export const TEST_AL2023_RELEASE = '1.34.2-20260515';

export const AL2023_PARAMETER = (k8s: string, arch = 'x86_64') =>
  `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/${arch}/standard/recommended/release_version`;

/** An add-on's DescribeAddonVersions entry: versions newest first, all compatible with 1.34. */
export function anAddonInfo(addonName: string, versions: string[], clusterVersion = '1.34'): AddonInfo {
  return {
    addonName,
    type: 'networking',
    owner: 'aws',
    publisher: 'eks',
    addonVersions: versions.map((addonVersion, i) => ({
      addonVersion,
      compatibilities: [{ clusterVersion, platformVersions: ['*'], defaultVersion: i === 0 }],
    })),
  };
}

/** Reference data for the default cluster: every default node group and add-on is current. */
export function someReferences(): EksReferences {
  return {
    versions: { source: 'api', versions: TEST_CALENDAR },
    recommendedReleases: {
      [recommendedReleaseKey('1.34', 'AL2023_x86_64_STANDARD')]: {
        parameter: AL2023_PARAMETER('1.34'),
        releaseVersion: TEST_AL2023_RELEASE,
      },
    },
    addonVersions: Object.fromEntries(
      defaultAddons('x', TEST_ACCOUNT, TEST_REGION).map((a) => [
        a.addonName!,
        anAddonInfo(a.addonName!, [a.addonVersion!, 'v1.0.0-eksbuild.1']),
      ]),
    ),
  };
}

/** The trust policy EKS Pod Identity needs: pods.eks.amazonaws.com may AssumeRole and TagSession. */
export function podIdentityTrustPolicy(actions: string[] = ['sts:AssumeRole', 'sts:TagSession']): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: actions }],
  };
}

export const TEST_OIDC_HOST_PATH = `oidc.eks.${TEST_REGION}.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9`;
export const TEST_OIDC_PROVIDER_ARN = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${TEST_OIDC_HOST_PATH}`;

/** An IRSA trust policy for the test cluster's OIDC provider; `sub`/`aud` undefined leave the condition out. */
export function irsaTrustPolicy(
  o: { sub?: string | string[]; aud?: string; operator?: string; hostPath?: string } = {
    sub: 'system:serviceaccount:payments:api',
    aud: 'sts.amazonaws.com',
  },
): IamPolicyDocument {
  const hostPath = o.hostPath ?? TEST_OIDC_HOST_PATH;
  const conditions: Record<string, string | string[]> = {};
  if (o.sub !== undefined) conditions[`${hostPath}:sub`] = o.sub;
  if (o.aud !== undefined) conditions[`${hostPath}:aud`] = o.aud;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${hostPath}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(Object.keys(conditions).length > 0 ? { Condition: { [o.operator ?? 'StringEquals']: conditions } } : {}),
      },
    ],
  };
}

/** GuardDuty on, with EKS audit log monitoring and EKS runtime monitoring. */
export function guardDutyOn(): GuardDutyFacts {
  return {
    detectors: [
      {
        detectorId: '12abc34d567e8fa901bc2d34e56789f0',
        Status: 'ENABLED',
        ServiceRole: undefined,
        Features: [
          { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
          {
            Name: 'RUNTIME_MONITORING',
            Status: 'ENABLED',
            AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }],
          },
        ],
      },
    ],
  };
}

export function aRole(name: string, trustPolicy: IamPolicyDocument | undefined): IamRoleFacts {
  return { arn: roleArn(name), roleName: name, trustPolicy };
}

/** IAM facts for referenced principals, keyed by ARN as the collector keys them. */
export function iamFacts(...facts: IamPrincipalFacts[]): Record<string, IamPrincipalFacts> {
  return Object.fromEntries(facts.map((f) => [f.arn, f]));
}

export function aPodIdentityAssociation(
  namespace: string,
  serviceAccount: string,
  role: string,
  extra: Partial<PodIdentityAssociation> = {},
): PodIdentityAssociation {
  const associationId = `a-${namespace}-${serviceAccount}`.slice(0, 20);
  return {
    clusterName: 'payments-prod',
    namespace,
    serviceAccount,
    roleArn: role,
    associationArn: `arn:aws:eks:${TEST_REGION}:${TEST_ACCOUNT}:podidentityassociation/payments-prod/${associationId}`,
    associationId,
    tags: {},
    createdAt: new Date('2025-04-01T10:00:00.000Z'),
    modifiedAt: new Date('2025-04-01T10:00:00.000Z'),
    disableSessionTags: false,
    ...extra,
  };
}

export const TEST_ADMIN_ROLE = roleArn('platform-admin');
export const TEST_POD_ROLE = roleArn('payments-api-pod');
/**
 * A managed node group of the default cluster (payments-prod): AL2023, Kubernetes 1.34, on the recommended
 * release. `patch` is deep-merged; its name also names the ARN.
 */
export function aNodegroup(patch: DeepPartial<Nodegroup> = {}, clusterName = 'payments-prod'): Nodegroup {
  return deepMerge<Nodegroup>(
    defaultNodegroup(clusterName, TEST_ACCOUNT, TEST_REGION, patch.nodegroupName ?? 'general'),
    patch,
  );
}

/** An add-on of the default cluster, healthy unless patched. */
export function anAddon(addonName: string, addonVersion: string, patch: DeepPartial<Addon> = {}): Addon {
  const a = defaultAddons('payments-prod', TEST_ACCOUNT, TEST_REGION)[0]!;
  return deepMerge<Addon>(
    { ...a, addonName, addonVersion, addonArn: a.addonArn!.replace('/vpc-cni/', `/${addonName}/`) },
    patch,
  );
}

export const TEST_AMI = 'ami-0abc1234def567890';
export const TEST_LAUNCH_TEMPLATE_ID = 'lt-0abc1234def567890';

const daysBefore = (days: number) => new Date(TEST_NOW.getTime() - days * 86_400_000);

/** An AMI built `ageDays` before TEST_NOW. */
export function anImage(ageDays: number, imageId = TEST_AMI, name = 'golden-eks-node-2026'): Image {
  return { ImageId: imageId, Name: name, CreationDate: daysBefore(ageDays).toISOString(), OwnerId: TEST_ACCOUNT };
}

/**
 * A cluster whose one node group runs from a launch template with a custom AMI (`ageDays` old, or absent from
 * DescribeImages when `imageFound` is false) and the given metadata options.
 */
export function withCustomAmi(o: {
  ageDays?: number;
  imageFound?: boolean;
  imageId?: string | undefined;
  metadataOptions?: LaunchTemplateInstanceMetadataOptions | undefined;
}): EksClusterOverrides {
  const imageId = 'imageId' in o ? o.imageId : TEST_AMI;
  const template: LaunchTemplateVersion = {
    LaunchTemplateId: TEST_LAUNCH_TEMPLATE_ID,
    LaunchTemplateName: 'golden-nodes',
    VersionNumber: 3,
    LaunchTemplateData: {
      ...(imageId ? { ImageId: imageId } : {}),
      ...('metadataOptions' in o
        ? o.metadataOptions
          ? { MetadataOptions: o.metadataOptions }
          : {}
        : { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' } }),
    },
  };
  return {
    nodegroups: [
      aNodegroup({
        nodegroupName: 'golden',
        amiType: imageId ? 'CUSTOM' : 'AL2023_x86_64_STANDARD',
        releaseVersion: imageId ?? TEST_AL2023_RELEASE,
        launchTemplate: { id: TEST_LAUNCH_TEMPLATE_ID, name: 'golden-nodes', version: '3' },
      }),
    ],
    launchTemplates: { [launchTemplateVersionKey(TEST_LAUNCH_TEMPLATE_ID, '3')]: template },
    images: imageId && o.imageFound !== false ? { [imageId]: anImage(o.ageDays ?? 30, imageId) } : {},
  };
}

/** A cluster with no managed node groups and one self-managed node (`ageDays`-old AMI, given metadata options). */
export function withSelfManagedNode(o: {
  ageDays?: number;
  metadataOptions?: Instance['MetadataOptions'];
}): EksClusterOverrides {
  const imageId = 'ami-0fed4321cba098765';
  return {
    nodegroups: [],
    selfManagedNodes: [
      {
        InstanceId: 'i-0123456789abcdef0',
        ImageId: imageId,
        Tags: [{ Key: 'kubernetes.io/cluster/payments-prod', Value: 'owned' }],
        MetadataOptions: o.metadataOptions ?? {
          HttpTokens: 'required',
          HttpPutResponseHopLimit: 1,
          HttpEndpoint: 'enabled',
        },
      },
    ],
    images: { [imageId]: anImage(o.ageDays ?? 30, imageId, 'self-managed-node-2026') },
  };
}

/**
 * The account's IAM for a snapshot that does not bring its own: the default account (iam-builders.ts) with the node,
 * Pod Identity and IRSA roles the snapshot names, so they exist as GetAccountAuthorizationDetails would list them.
 */
function defaultIamAuthorization(s: EksClusterSnapshot): IamAuthorization {
  const own = (arn: string | undefined) =>
    arn && principalOf(arn).accountId === s.accountId ? principalOf(arn).name : undefined;
  const auth = anIamAuthorization({
    accountId: s.accountId,
    nodeRoles: s.nodegroups.map((n) => own(n.nodeRole)).filter((n): n is string => !!n),
  });
  const add = (name: string | undefined, make: (n: string) => IamAuthRole) => {
    if (name && !auth.roles.some((r) => r.name === name)) auth.roles.push(make(name));
  };
  for (const a of s.podIdentityAssociations) add(own(a.roleArn), (n) => aPodRole(n, { accountId: s.accountId }));
  for (const r of s.irsaRoles) add(own(r.arn), (n) => anIamRole(n, r.trustPolicy, { accountId: s.accountId }));
  return auth;
}

/** A realistic EKS snapshot that passes every check; `overrides.cluster` is deep-merged into the cluster. */
export function anEksCluster(overrides: EksClusterOverrides = {}): EksClusterSnapshot {
  const name = overrides.name ?? 'payments-prod';
  const accountId = overrides.accountId ?? TEST_ACCOUNT;
  const region = overrides.region ?? TEST_REGION;
  const arn = overrides.arn ?? eksClusterArn(accountId, region, name);
  const { cluster: clusterPatch, ...rest } = overrides;
  const cluster =
    'cluster' in overrides && clusterPatch === undefined
      ? undefined
      : deepMerge<Cluster>(defaultCluster(name, accountId, region, arn), clusterPatch);
  const snapshot: EksClusterSnapshot = {
    provider: 'aws',
    id: arn,
    arn,
    name,
    accountId,
    region,
    collectedAt: TEST_NOW.toISOString(),
    cluster,
    nodegroups: [defaultNodegroup(name, accountId, region)],
    addons: defaultAddons(name, accountId, region),
    accessEntries: [anAccessEntry(TEST_ADMIN_ROLE, { policies: ['AmazonEKSClusterAdminPolicy'], clusterName: name })],
    podIdentityAssociations: [aPodIdentityAssociation('payments', 'api', TEST_POD_ROLE, { clusterName: name })],
    iam: iamFacts(
      { arn: TEST_ADMIN_ROLE, kind: 'role', exists: true, trustPolicy: undefined },
      { arn: TEST_POD_ROLE, kind: 'role', exists: true, trustPolicy: podIdentityTrustPolicy() },
    ),
    oidcProviders: [],
    irsaRoles: [],
    gaps: [],
    references: someReferences(),
    launchTemplates: {},
    images: {},
    selfManagedNodes: [],
    guardDuty: guardDutyOn(),
    secretsKey: aSecretsKey(),
    ...rest,
  };
  if (!('iamAuthorization' in overrides)) snapshot.iamAuthorization = defaultIamAuthorization(snapshot);
  return snapshot;
}

/**
 * What KMS says about the Secrets key: by default TEST_KMS_KEY_ARN, Enabled, customer-managed, in the cluster's
 * account, rotating. `metadata` is merged over that; `metadata: undefined` means DescribeKey was not answered.
 */
export function aSecretsKey(
  patch: {
    keyArn?: string;
    metadata?: Partial<KeyMetadata> | undefined;
    rotationEnabled?: boolean | undefined;
    notFound?: boolean;
  } = {},
): EksSecretsKeyFacts {
  const keyArn = patch.keyArn ?? TEST_KMS_KEY_ARN;
  const [, , , region, account, resource] = keyArn.split(':');
  const metadata: KeyMetadata = {
    KeyId: resource?.replace(/^key\//, '') ?? 'key',
    Arn: keyArn,
    AWSAccountId: account ?? TEST_ACCOUNT,
    CreationDate: new Date('2025-03-01T10:00:00Z'),
    Enabled: true,
    KeyState: 'Enabled',
    KeyManager: 'CUSTOMER',
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    Origin: 'AWS_KMS',
    Description: `EKS secrets (${region})`,
    ...patch.metadata,
  };
  return {
    keyArn,
    ...('metadata' in patch && patch.metadata === undefined ? {} : { metadata }),
    ...('rotationEnabled' in patch
      ? patch.rotationEnabled === undefined
        ? {}
        : { rotationEnabled: patch.rotationEnabled }
      : { rotationEnabled: true }),
    ...(patch.notFound ? { notFound: true } : {}),
  };
}

/** The evaluation context of a scan at TEST_NOW, with the default check settings unless given. */
export function aContext(settings: z.input<typeof CheckSettingsSchema> = {}): EvalContext {
  return { now: TEST_NOW, settings: CheckSettingsSchema.parse(settings) };
}

/** Evaluates a check that reports once per cluster and returns that one result (throws otherwise). */
export function evaluateOnce(
  check: { evaluate(s: EksClusterSnapshot, ctx: EvalContext): CheckResult[] },
  snapshot: EksClusterSnapshot,
  ctx: EvalContext = aContext(),
): CheckResult {
  const results = check.evaluate(snapshot, ctx);
  if (results.length !== 1 || !results[0]) throw new Error(`expected exactly one result, got ${results.length}`);
  return results[0];
}
