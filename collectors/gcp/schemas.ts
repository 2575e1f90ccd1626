import * as z from 'zod';

/**
 * What each Google answer the collector believes ALWAYS carries. GKE answers are checked as the client decoded them:
 * both transports (gRPC in production, REST in the simulator) decode with protobuf `defaults: true`, so a field the
 * wire omitted arrives as `''`, `[]` or the enum's `*_UNSPECIFIED` and is told apart from a real value here by
 * requiring non-empty values. Proto3 JSON omits empty repeated fields, so an empty `{}` list answer is also what a
 * project without clusters (or an identity without projects) gets: it cannot be refused as malformed.
 */

const nonEmpty = z.string().min(1);
/** An enum the decoder filled with its zero value (`STATUS_UNSPECIFIED`, or 0 as a number) was not sent. */
const sentEnum = z.union([
  z
    .string()
    .min(1)
    .refine((s) => !s.endsWith('_UNSPECIFIED'), 'unspecified'),
  z.number().int().positive(),
]);

/** proto3 `optional bool` and unset messages: absent, or null from the decoder; when sent, of the right type. */
const maybeBool = z.boolean().nullish();
const authorizedNetworks = z
  .looseObject({
    enabled: maybeBool,
    cidrBlocks: z.array(z.looseObject({ cidrBlock: z.string().nullish() })).nullish(),
    gcpPublicCidrsAccessEnabled: maybeBool,
    privateEndpointEnforcementEnabled: maybeBool,
  })
  .nullish();

/**
 * The endpoint block GKE returns since 2024, ahead of the deprecated privateClusterConfig: optional (older answers
 * lack it; the checks then fall back or say ERROR), but refused as malformed when present with the wrong types, so
 * a string "false" is never read as a missing field.
 */
const controlPlaneEndpointsConfig = z
  .looseObject({
    ipEndpointsConfig: z
      .looseObject({
        enabled: maybeBool,
        enablePublicEndpoint: maybeBool,
        globalAccess: maybeBool,
        authorizedNetworksConfig: authorizedNetworks,
      })
      .nullish(),
    dnsEndpointConfig: z.looseObject({ endpoint: z.string().nullish(), allowExternalTraffic: maybeBool }).nullish(),
  })
  .nullish();

/** A GKE cluster always has these, in every state (PROVISIONING included). */
export const gkeCluster = z.looseObject({
  name: nonEmpty,
  location: nonEmpty,
  selfLink: nonEmpty,
  status: sentEnum,
  controlPlaneEndpointsConfig,
  masterAuthorizedNetworksConfig: authorizedNetworks,
});

const listClusters = z.looseObject({
  clusters: z.array(gkeCluster),
  missingZones: z.array(z.string()),
});

/** Valid versions: a GKE location always offers some, and a default. */
const serverConfig = z.looseObject({
  defaultClusterVersion: nonEmpty,
  validMasterVersions: z.array(nonEmpty).min(1),
});

/** Cloud Resource Manager v1 `projects.list`, raw JSON: `projects` is omitted when there are none. */
const listProjects = z.looseObject({
  projects: z.array(z.looseObject({ projectId: nonEmpty, lifecycleState: nonEmpty })).optional(),
  nextPageToken: z.string().optional(),
});

/**
 * Resource Manager `getIamPolicy`, as the client decoded it: every policy has an etag (an empty one is what a `{}`
 * answer decodes to), and every binding a role and members.
 */
const iamPolicy = z.looseObject({
  etag: z.union([z.string().min(1), z.instanceof(Uint8Array).refine((b) => b.length > 0, 'empty')]),
  bindings: z.array(z.looseObject({ role: nonEmpty, members: z.array(nonEmpty) })),
});

/** IAM v1 `roles.get`, raw JSON: `includedPermissions` is omitted when a role has none. */
const iamRole = z.looseObject({ name: nonEmpty, includedPermissions: z.array(nonEmpty).optional() });

/**
 * Cloud KMS `getCryptoKey` (issue 15), as decoded: a key always has its name and purpose; its primary version, when
 * sent, its name and state (an unspecified state would read as "not ENABLED" at best).
 */
const cryptoKey = z.looseObject({
  name: nonEmpty,
  purpose: sentEnum,
  primary: z.looseObject({ name: nonEmpty, state: sentEnum }).nullish(),
});

/** The one registry of Google answers: every GKE and Resource Manager call the collector makes is checked here. */
export const GCP_SCHEMAS = {
  'gke:ListClusters': listClusters,
  /** One named cluster (a rescan): the same cluster shape the list carries. */
  'gke:GetCluster': gkeCluster,
  'gke:GetServerConfig': serverConfig,
  'crm:ListProjects': listProjects,
  'crm:GetIamPolicy': iamPolicy,
  'gcp-iam:GetRole': iamRole,
  'cloudkms:GetCryptoKey': cryptoKey,
} as const;

export type GcpAction = keyof typeof GCP_SCHEMAS;
export type ListProjectsPage = z.output<typeof listProjects>;
export type IamRoleAnswer = z.output<typeof iamRole>;
