import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { SEVERITIES } from './severity.ts';

const AWS_ACCOUNT_ID = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
const AWS_REGION = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'an AWS region looks like eu-west-1');
const ROLE_NAME = z.string().regex(/^[\w+=,.@/-]{1,64}$/, 'an IAM role name (letters, digits and +=,.@_-; up to 64)');

export const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const AwsAccountSchema = z
  .object({
    id: AWS_ACCOUNT_ID,
    /** Overrides `aws.roleName` for this account. */
    roleName: ROLE_NAME.optional(),
    externalId: z.string().min(2).max(1224).optional(),
  })
  .strict();

/** Present = the accounts to scan are the organization's active accounts (Organizations ListAccounts). */
const AwsOrganizationSchema = z
  .object({
    /** Only these accounts (when they are active members). */
    include: z.array(AWS_ACCOUNT_ID).min(1).optional(),
    /** Never these accounts (e.g. the security account itself, a sandbox). */
    exclude: z.array(AWS_ACCOUNT_ID).default([]),
  })
  .strict();

export const AwsConfigSchema = z
  .object({
    /** Accounts to scan, each through a reader role. None: only the caller's own account, with its own credentials. */
    accounts: z.array(AwsAccountSchema).min(1).optional(),
    /**
     * Scan the organization's active accounts instead of a fixed list (the serverless `plan` step lists
     * them once per scan). `accounts`, if also given, only overrides role name and external id per account.
     */
    organization: AwsOrganizationSchema.optional(),
    roleName: ROLE_NAME.default('KubepostureReader'),
    roleSessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/)
      .default('kubeposture'),
    externalId: z.string().min(2).max(1224).optional(),
    /** Regions to scan. None: the regions each account has enabled (EC2 DescribeRegions). */
    regions: z.array(AWS_REGION).min(1).optional(),
    /** Total attempts per API call, retries with exponential backoff and jitter included. */
    maxAttempts: z.number().int().min(1).max(20).default(8),
    retryBaseDelayMs: z.number().int().min(1).max(10_000).default(250),
    /**
     * Per request to a cluster's Kubernetes API (reading aws-auth). Short: an unreachable private endpoint
     * should cost a scan seconds, not minutes; the cluster's aws-auth checks then say ERROR.
     */
    kubernetesApiTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
  })
  .strict();

const DAYS = z.number().int().min(0).max(3650);

const VersionSettingsSchema = z
  .object({
    /**
     * Days before the end of standard support from which a cluster FAILs (medium). 90: one quarter, the usual
     * planning horizon for a control-plane plus node upgrade across environments.
     */
    warnDays: DAYS.default(90),
    /** EKS list prices per cluster hour (us-east-1, pricing page), used only to state the extra cost in messages. */
    standardSupportHourlyUsd: z.number().min(0).max(100).default(0.1),
    extendedSupportHourlyUsd: z.number().min(0).max(100).default(0.6),
  })
  .strict();

const NodeSettingsSchema = z
  .object({
    /**
     * How far a node group's release may lag the recommended one. EKS publishes optimized AMIs every week or two;
     * 14 days lets a normal rollout catch up, 45 days means a missed cycle or two, 90 days a quarter of
     * unpatched kernels and container runtimes. Release counts apply where dates are not known (Bottlerocket).
     */
    releaseLag: z
      .object({
        failAfterDays: DAYS.default(14),
        mediumAfterDays: DAYS.default(45),
        highAfterDays: DAYS.default(90),
        mediumAfterReleases: z.number().int().min(1).max(100).default(2),
        highAfterReleases: z.number().int().min(1).max(100).default(4),
      })
      .strict()
      .refine((r) => r.failAfterDays <= r.mediumAfterDays && r.mediumAfterDays <= r.highAfterDays, {
        message: 'failAfterDays <= mediumAfterDays <= highAfterDays',
      })
      .refine((r) => r.mediumAfterReleases <= r.highAfterReleases, {
        message: 'mediumAfterReleases <= highAfterReleases',
      })
      .default({
        failAfterDays: 14,
        mediumAfterDays: 45,
        highAfterDays: 90,
        mediumAfterReleases: 2,
        highAfterReleases: 4,
      }),
    /** Custom AMIs (launch templates, self-managed nodes) older than this FAIL: 90 days, one quarter of patches. */
    customAmiMaxAgeDays: z.number().int().min(1).max(3650).default(90),
  })
  .strict();

const HygieneSettingsSchema = z
  .object({
    /** A cluster is production when any of these tag keys has one of its values (compared case-insensitively). */
    productionTags: z
      .record(z.string().min(1), z.array(z.string().min(1)).min(1))
      .refine((t) => Object.keys(t).length > 0, 'at least one tag key')
      .default({ env: ['prod', 'production'], environment: ['prod', 'production'], stage: ['prod', 'production'] }),
  })
  .strict();

const AZURE_SUBSCRIPTION_ID = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'an Azure subscription id is a GUID like 00000000-0000-0000-0000-000000000000',
  );
const GCP_PROJECT_ID = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    'a GCP project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter',
  );

/** Present (even empty) = scan Azure. */
export const AzureConfigSchema = z
  .object({
    /** Subscriptions to scan. None: every subscription the identity can read (ARM `GET /subscriptions`). */
    subscriptions: z.array(AZURE_SUBSCRIPTION_ID).min(1).optional(),
    /** Entra tenant of the identity (the secretless Lambda path needs it; locally DefaultAzureCredential finds it). */
    tenantId: z.string().min(1).optional(),
    /** Total attempts per ARM call (the Azure pipeline retries 429 and 5xx, honouring Retry-After). */
    maxAttempts: z.number().int().min(1).max(20).default(4),
  })
  .strict();

/** Present (even empty) = scan Google Cloud. */
export const GcpConfigSchema = z
  .object({
    /** Projects to scan. None: every active project the identity can list (Cloud Resource Manager). */
    projects: z.array(GCP_PROJECT_ID).min(1).optional(),
  })
  .strict();

/** Time and size limits of every cloud call, for AWS, Azure and Google alike. */
export const CollectionSettingsSchema = z
  .object({
    /** A connection not established within this is a transient failure, retried like a 5xx. */
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    /**
     * One request with no complete answer within this is abandoned and retried: a hung call costs at most
     * this × the cloud's maxAttempts. 15 s is many times the slowest real List/Describe answer.
     */
    requestTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
    /**
     * One target (account × region, subscription, project) in the CLI; what is not collected by then becomes gaps
     * (code Timeout). In Lambda the function's remaining time decides instead.
     */
    targetTimeoutMs: z.number().int().min(1_000).max(86_400_000).default(900_000),
    /** Pages of one list walk beyond which it is cut and recorded as a gap ("pagination did not terminate"). */
    maxPages: z.number().int().min(1).max(100_000).default(1_000),
  })
  .strict();

/** Slack delivery (state-secrets): the webhook URL itself is a secret and never lives in this file. */
export const SlackSettingsSchema = z
  .object({
    /**
     * Hosts a Slack webhook URL may point to besides hooks.slack.com (a proxy, a GovSlack host); https is required
     * whatever the host, and a URL to any other host is refused before the scan starts.
     */
    webhookHosts: z
      .array(
        z
          .string()
          .regex(
            /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
            'a lowercase host name like hooks.example.com (no scheme, port or path)',
          ),
      )
      .max(20)
      .default([]),
  })
  .strict();

export const CheckSettingsSchema = z
  .object({
    logging: z
      .object({
        /** Control-plane log types a cluster must send to CloudWatch Logs. */
        requiredTypes: z.array(z.enum(EKS_LOG_TYPES)).min(1).default(['audit', 'authenticator']),
      })
      .strict()
      .default({ requiredTypes: ['audit', 'authenticator'] }),
    access: z
      .object({
        /**
         * More cluster-admin holders than this fails EKS.ACCESS.3. Default 3: a break-glass role, the platform
         * team's role and one deployment pipeline; every holder beyond that is one more way to own the cluster.
         */
        maxClusterAdmins: z.number().int().min(1).max(1000).default(3),
      })
      .strict()
      .default({ maxClusterAdmins: 3 }),
    versions: VersionSettingsSchema.default(VersionSettingsSchema.parse({})),
    nodes: NodeSettingsSchema.default(NodeSettingsSchema.parse({})),
    hygiene: HygieneSettingsSchema.default(HygieneSettingsSchema.parse({})),
  })
  .strict();

export const ScanConfigSchema = z
  .object({
    aws: AwsConfigSchema.default(AwsConfigSchema.parse({})),
    /** Scan AKS only when this section is present (or with --providers azure / --sample). */
    azure: AzureConfigSchema.optional(),
    /** Scan GKE only when this section is present (or with --providers gcp / --sample). */
    gcp: GcpConfigSchema.optional(),
    concurrency: z
      .object({
        /** Targets (account × region) collected at once. */
        targets: z.number().int().min(1).max(256).default(8),
        /** Clusters described at once within one target. */
        clustersPerTarget: z.number().int().min(1).max(64).default(4),
      })
      .strict()
      .default({ targets: 8, clustersPerTarget: 4 }),
    collection: CollectionSettingsSchema.default(CollectionSettingsSchema.parse({})),
    checks: CheckSettingsSchema.default(CheckSettingsSchema.parse({})),
    slack: SlackSettingsSchema.default({ webhookHosts: [] }),
    /** Exit non-zero when a FAIL at or above this severity exists (CLI). */
    failOn: z.enum(SEVERITIES).optional(),
  })
  .strict();

export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type AzureConfig = z.infer<typeof AzureConfigSchema>;
export type GcpConfig = z.infer<typeof GcpConfigSchema>;
export type CheckSettings = z.infer<typeof CheckSettingsSchema>;
export type CollectionSettings = z.infer<typeof CollectionSettingsSchema>;
export type ScanConfig = z.infer<typeof ScanConfigSchema>;

/** `aws.accounts[0].id` style paths, so an error names the field. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
}

/** Validates a configuration once; throws ConfigError naming every bad field. */
export function parseConfig(raw: unknown, source = 'configuration'): ScanConfig {
  const result = ScanConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  throw new ConfigError(`Invalid ${source}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, issues);
}
