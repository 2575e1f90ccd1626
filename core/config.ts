import * as z from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { ConfigError } from './errors.ts';
import { AWS_REGIONS, AWS_REGIONS_AS_OF } from './regions.ts';
import { SEVERITIES } from './severity.ts';
import { escapeControl } from './text.ts';

export const AWS_ACCOUNT_ID = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
export const AWS_REGION = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'an AWS region looks like eu-west-1');
const ROLE_NAME = z.string().regex(/^[\w+=,.@/-]{1,64}$/, 'an IAM role name (letters, digits and +=,.@_-; up to 64)');

/**
 * List limits. AWS has about 35 regions (GovCloud and ISO included), so 64 leaves room; 10,000 accounts, subscriptions
 * or projects is beyond the largest organizations and keeps one plan's item list and one scan bounded.
 */
export const LIMITS = { regions: 64, accounts: 10_000, subscriptions: 10_000, projects: 10_000 } as const;

/**
 * A list of at most `max` items, checked for size before its items (so 300,000 bad entries cost one message, not
 * 300,000), then de-duplicated keeping the first spelling: a region or account listed twice is scanned once.
 */
export function boundedList<T extends z.ZodType<string>>(
  element: T,
  options: { max: number; noun: string; min?: number; key?: (v: string) => string },
) {
  const key = options.key ?? ((v: string) => v);
  return z
    .array(z.unknown())
    .min(options.min ?? 0, `at least ${options.min} ${options.noun}`)
    .max(options.max, `at most ${options.max.toLocaleString('en-US')} ${options.noun}`)
    .pipe(z.array(element))
    .transform((items) => {
      const seen = new Set<string>();
      return items.filter((v) => {
        const k = key(v as string);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    });
}

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
    include: boundedList(AWS_ACCOUNT_ID, { min: 1, max: LIMITS.accounts, noun: 'accounts' }).optional(),
    /** Never these accounts (e.g. the security account itself, a sandbox). */
    exclude: boundedList(AWS_ACCOUNT_ID, { max: LIMITS.accounts, noun: 'accounts' }).default([]),
  })
  .strict();

const RATE = z.number().min(0.1).max(10_000);
/**
 * Where AWS documents more than the common start: EC2's bucket for non-mutating calls (100, refilled at 20/s),
 * SSM GetParameter (40/s); STS AssumeRole draws on the scanner's own account, whose reported limit is far higher.
 */
export const AWS_SERVICE_RATE_DEFAULTS: Readonly<Record<string, { initialRate: number; burst: number }>> = {
  ec2: { initialRate: 20, burst: 100 },
  ssm: { initialRate: 40, burst: 40 },
  sts: { initialRate: 50, burst: 50 },
};
const RateLimitSchema = z.object({ initialRate: RATE, burst: z.number().int().min(1).max(10_000) }).strict();

/**
 * Client-side pacing of AWS calls, per account × region × service (collectors/aws/rate-limit.ts). AWS publishes no
 * rates for EKS, IAM or Organizations, so each key starts at `initialRate` calls/s (after a `burst`) and learns:
 * a throttling answer slows it down (× `decrease`), success while held back speeds it up (+`increasePerSecond`
 * per second), between `minRate` and `maxRate`. `services` overrides the start per service (signing name).
 */
export const AwsRateLimitsSchema = z
  .object({
    enabled: z.boolean().default(true),
    initialRate: RATE.default(10),
    burst: z.number().int().min(1).max(10_000).default(10),
    minRate: RATE.default(0.5),
    maxRate: RATE.default(500),
    increasePerSecond: z.number().min(0).max(1_000).default(2),
    decrease: z.number().gt(0).lt(1).default(0.7),
    /** Per service, over AWS_SERVICE_RATE_DEFAULTS (a service given here replaces its default). */
    services: z
      .partialRecord(z.enum(['eks', 'iam', 'ec2', 'ssm', 'sts', 'guardduty', 'organizations']), RateLimitSchema)
      .default({})
      .transform((given) => ({ ...AWS_SERVICE_RATE_DEFAULTS, ...given })),
  })
  .strict()
  .refine((r) => r.minRate <= r.initialRate && r.initialRate <= r.maxRate, {
    message: 'minRate <= initialRate <= maxRate',
  });

export const AwsConfigSchema = z
  .object({
    /** Accounts to scan, each through a reader role. None: only the caller's own account, with its own credentials. */
    accounts: z
      .array(z.unknown())
      .min(1, 'at least 1 account')
      .max(LIMITS.accounts, `at most ${LIMITS.accounts.toLocaleString('en-US')} accounts`)
      .pipe(z.array(AwsAccountSchema))
      .superRefine((accounts, ctx) => {
        // The same account twice with different settings is ambiguous: which role would be assumed?
        const first = new Map<string, number>();
        accounts.forEach((a, i) => {
          const j = first.get(a.id);
          if (j === undefined) first.set(a.id, i);
          else if (!sameAccount(accounts[j]!, a)) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: `${a.id} is listed twice with different settings (also aws.accounts[${j}]); keep one entry`,
            });
          }
        });
      })
      // Identical repeats collapse: an account listed twice is scanned once.
      .transform((accounts) => accounts.filter((a, i) => accounts.findIndex((b) => b.id === a.id) === i))
      .optional(),
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
    regions: boundedList(AWS_REGION, { min: 1, max: LIMITS.regions, noun: 'regions' }).optional(),
    /**
     * A region missing from kubeposture's list (`core/regions.ts`) is warned about before the scan; true silences
     * that for a region AWS opened after the list was written.
     */
    allowUnknownRegions: z.boolean().default(false),
    /** Total attempts per API call, retries with exponential backoff and jitter included. */
    maxAttempts: z.number().int().min(1).max(20).default(8),
    retryBaseDelayMs: z.number().int().min(1).max(10_000).default(250),
    /**
     * Per request to a cluster's Kubernetes API (reading aws-auth). Short: an unreachable private endpoint
     * should cost a scan seconds, not minutes; the cluster's aws-auth checks then say ERROR.
     */
    kubernetesApiTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /**
     * Read the service control policies that apply to each scanned account (Organizations ListParents,
     * ListPoliciesForTarget, DescribePolicy) with the scanner's own credentials, for the privilege-path checks. Needs
     * the management or a delegated-administrator account; denied, the paths are reported without SCPs, saying so.
     */
    serviceControlPolicies: z.boolean().default(true),
    rateLimits: AwsRateLimitsSchema.default(() => AwsRateLimitsSchema.parse({})),
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
      .record(
        z.string().min(1).max(128, 'a tag key has at most 128 characters'),
        boundedList(z.string().min(1).max(256, 'a tag value has at most 256 characters'), {
          min: 1,
          max: 100,
          noun: 'values',
        }),
      )
      .refine((t) => Object.keys(t).length > 0, 'at least one tag key')
      .refine((t) => Object.keys(t).length <= 50, 'at most 50 tag keys')
      .default({ env: ['prod', 'production'], environment: ['prod', 'production'], stage: ['prod', 'production'] }),
  })
  .strict();

function sameAccount(a: z.infer<typeof AwsAccountSchema>, b: z.infer<typeof AwsAccountSchema>): boolean {
  return a.roleName === b.roleName && a.externalId === b.externalId;
}

export const AZURE_SUBSCRIPTION_ID = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'an Azure subscription id is a GUID like 00000000-0000-0000-0000-000000000000',
  );
export const GCP_PROJECT_ID = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    'a GCP project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter',
  );

/** Present (even empty) = scan Azure. */
export const AzureConfigSchema = z
  .object({
    /** Subscriptions to scan. None: every subscription the identity can read (ARM `GET /subscriptions`). */
    subscriptions: boundedList(AZURE_SUBSCRIPTION_ID, {
      min: 1,
      max: LIMITS.subscriptions,
      noun: 'subscriptions',
      // GUIDs compare without case.
      key: (id) => id.toLowerCase(),
    }).optional(),
    /** Entra tenant of the identity (the secretless Lambda path needs it; locally DefaultAzureCredential finds it). */
    tenantId: z.string().min(1).max(256).optional(),
    /** Total attempts per ARM call (the Azure pipeline retries 429 and 5xx, honouring Retry-After). */
    maxAttempts: z.number().int().min(1).max(20).default(4),
  })
  .strict();

/** Present (even empty) = scan Google Cloud. */
export const GcpConfigSchema = z
  .object({
    /** Projects to scan. None: every active project the identity can list (Cloud Resource Manager). */
    projects: boundedList(GCP_PROJECT_ID, { min: 1, max: LIMITS.projects, noun: 'projects' }).optional(),
    /** Total attempts per GKE / Resource Manager call (429, 5xx, timeouts and UNAVAILABLE are retried). */
    maxAttempts: z.number().int().min(1).max(20).default(4),
    /**
     * The organization's domains (`example.com`): IAM members of other domains that can become cluster-admin fail
     * GKE.ACCESS.4. Unset, only public and consumer-account members can be told apart, and other domains are ERROR.
     */
    organizationDomains: boundedList(
      z
        .string()
        .regex(
          /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
          'a lowercase domain like example.com',
        ),
      { min: 1, max: 100, noun: 'domains' },
    ).optional(),
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
    /** Check ids or globs (`EKS.HYGIENE.*`) never run, like `--skip-checks`. */
    disabled: z.array(z.string().min(1).max(256)).max(1000).default([]),
    logging: z
      .object({
        /** Control-plane log types a cluster must send to CloudWatch Logs. */
        requiredTypes: boundedList(z.enum(EKS_LOG_TYPES), { min: 1, max: 20, noun: 'log types' }).default([
          'audit',
          'authenticator',
        ]),
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

/**
 * Where ASFF findings are imported (`--format asff`). BatchImportFindings accepts only findings stamped with the calling
 * account, and AKS and GKE findings have no AWS account of their own: every finding then carries this account in
 * `AwsAccountId` and the ProductArn, and its own account, subscription or project in `Resources[].Details.Other` and
 * `ProductFields`. In AWS the scanner's own account and region are used (the stack's `securityHub` setting).
 */
export const SecurityHubSettingsSchema = z
  .object({
    accountId: AWS_ACCOUNT_ID.optional(),
    /** Security Hub region imported into (the ProductArn's region). Default: each AWS finding's own, us-east-1 for others. */
    region: AWS_REGION.optional(),
  })
  .strict();

export const DEFAULT_CONCURRENCY = { targets: 512, clustersPerTarget: 64, threads: 'auto' } as const;

export const ScanConfigSchema = z
  .object({
    aws: AwsConfigSchema.default(AwsConfigSchema.parse({})),
    /** Scan AKS only when this section is present (or with --providers azure / --sample). */
    azure: AzureConfigSchema.optional(),
    /** Scan GKE only when this section is present (or with --providers gcp / --sample). */
    gcp: GcpConfigSchema.optional(),
    /**
     * Upper bounds, not the pace: what paces AWS calls is `aws.rateLimits` per account × region × service. The
     * defaults let a fleet of up to 512 targets all run at once and every cluster of a target (up to 64) be read
     * together, so a scan with no settings runs as fast as the services allow; lower them to spare a machine.
     */
    concurrency: z
      .object({
        /** Targets (account × region) collected at once. */
        targets: z.number().int().min(1).max(1024).default(DEFAULT_CONCURRENCY.targets),
        /** Clusters described at once within one target (and describe calls at once within one cluster). */
        clustersPerTarget: z.number().int().min(1).max(256).default(DEFAULT_CONCURRENCY.clustersPerTarget),
        /**
         * CLI only: threads that collect AWS targets, one account per thread ('auto': one per core once a scan has
         * 128 targets or more; 0 or 1: in-process). Functions collect one target per invocation and ignore it.
         */
        threads: z.union([z.literal('auto'), z.number().int().min(0).max(64)]).default(DEFAULT_CONCURRENCY.threads),
      })
      .strict()
      .default(DEFAULT_CONCURRENCY),
    collection: CollectionSettingsSchema.default(CollectionSettingsSchema.parse({})),
    checks: CheckSettingsSchema.default(CheckSettingsSchema.parse({})),
    slack: SlackSettingsSchema.default({ webhookHosts: [] }),
    securityHub: SecurityHubSettingsSchema.optional(),
    /** Exit non-zero when a FAIL at or above this severity exists (CLI). */
    failOn: z.enum(SEVERITIES).optional(),
  })
  .strict();

export type AwsConfig = z.infer<typeof AwsConfigSchema>;
export type AwsRateLimits = z.infer<typeof AwsRateLimitsSchema>;
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

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return TYPE_NAMES[typeof v] ?? typeof v;
}

/**
 * The accepted shape of the settings people most often get wrong, by path (`[]` for any list index), shown when the
 * value has the wrong type: YAML that reads naturally (`accounts: [111111111111]`) often means something else.
 */
const SHAPES: Record<string, string> = {
  'aws.accounts': 'accounts: [{ id: "111111111111" }]',
  'aws.accounts[]': 'accounts: [{ id: "111111111111" }] (each account a mapping with its id)',
  'aws.regions': 'regions: [eu-west-1, us-east-1]',
  'aws.organization': 'organization: { exclude: ["111111111111"] } (or organization: {} for every account)',
  'aws.organization.include': 'include: ["111111111111"]',
  'aws.organization.exclude': 'exclude: ["111111111111"]',
  'azure.subscriptions': 'subscriptions: ["00000000-0000-0000-0000-000000000000"]',
  'gcp.projects': 'projects: [shop-prod-1234]',
  'checks.logging.requiredTypes': 'requiredTypes: [audit, authenticator]',
  'checks.hygiene.productionTags': 'productionTags: { env: [prod, production] }',
  'slack.webhookHosts': 'webhookHosts: [hooks.example.com]',
  securityHub: 'securityHub: { accountId: "111111111111", region: us-east-1 }',
};

/** Unknown keys people put in the wrong place. */
const MISPLACED: Record<string, string> = {
  suppressions: ' (suppressions are a file of their own: --suppressions FILE)',
};

/** Settings holding AWS account ids: unquoted in YAML they become numbers. */
const ACCOUNT_ID_PATHS = new Set([
  'aws.accounts[].id',
  'aws.organization.include[]',
  'aws.organization.exclude[]',
  'securityHub.accountId',
]);

function shapePath(path: readonly PropertyKey[] | undefined): string {
  let out = '';
  for (const p of path ?? []) out += typeof p === 'number' ? '[]' : out ? `.${String(p)}` : String(p);
  return out;
}

/** The keys an object schema accepts, for a did-you-mean; none for other schemas. */
function schemaKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Unknown keys are quoted (zod's own message does too), clipped and without control characters. */
function quoteKey(key: string): string {
  return `"${escapeControl(key.length > 64 ? `${key.slice(0, 63)}…` : key)}"`;
}

function wrongType(issue: z.core.$ZodRawIssue & { code: 'invalid_type' }, expected: string): string {
  const path = shapePath(issue.path);
  let message = `expected ${expected}, got ${typeOf(issue.input)}`;
  if (ACCOUNT_ID_PATHS.has(path) && typeof issue.input === 'number') {
    // A number is safe to show, and it is the clue: 10 or 11 digits means YAML dropped leading zeros.
    const digits = Number.isSafeInteger(issue.input) ? String(issue.input) : '';
    const lost = digits.length >= 10 && digits.length < 12;
    return (
      `${message}: quote account ids in YAML (id: "${lost ? digits.padStart(12, '0') : '111111111111'}"); unquoted, ` +
      `YAML reads them as numbers${lost ? ` and ${digits} has lost its leading zero${digits.length === 11 ? '' : 's'}` : ', which drop leading zeros'}`
    );
  }
  const shape = SHAPES[path];
  if (shape) message += `; write it as ${shape}`;
  else if (issue.expected === 'object') {
    const keys = schemaKeys(issue.inst);
    if (keys.length) message += ` with keys ${keys.join(', ')}`;
  } else if (issue.expected === 'string' && typeof issue.input === 'number') message += ' (put it in quotes)';
  return message;
}

/**
 * Pass to `safeParse(value, { error: readableErrors })`: a wrong type reads `expected a mapping, got a number` and shows
 * the accepted shape where it is not obvious (zod's own says `expected object, received number`), a missing field
 * `required (a string)`, an unknown key `unknown key "roleNmae" (did you mean roleName?)`. Values are never quoted
 * (keys and numbers are, clipped), so the message is safe to return and to log.
 */
export const readableErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys') {
    const keys = schemaKeys(issue.inst);
    const listed = issue.keys
      .slice(0, 5)
      .map(
        (k) => `${quoteKey(k)}${(Object.hasOwn(MISPLACED, k) && MISPLACED[k]) || didYouMean(k.slice(0, 128), keys)}`,
      );
    const more = issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : '';
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${listed.join(', ')}${more}${keys.length ? `; allowed: ${keys.join(', ')}` : ''}`;
  }
  if (issue.code !== 'invalid_type') return undefined;
  const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
  if (issue.input === undefined) return `required (${expected})`;
  return wrongType(issue, expected);
};

/** Error messages list at most this many problems, then say how many more. */
const MAX_LISTED_ISSUES = 20;

export function formatIssues(issues: readonly { path: string; message: string }[], indent = '  - '): string {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${indent}${i.path}: ${i.message}`);
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`${indent}… and ${issues.length - MAX_LISTED_ISSUES} more`);
  return lines.join('\n');
}

/** The top-level settings that are mappings; an empty YAML section (`azure:`) is null and means "defaults". */
const SECTIONS = ['aws', 'azure', 'gcp', 'concurrency', 'collection', 'checks', 'securityHub'] as const;

const SectionsSchema = z.looseObject(
  Object.fromEntries(SECTIONS.map((s) => [s, z.looseObject({}).nullish()])) as Record<
    (typeof SECTIONS)[number],
    z.ZodOptional<z.ZodNullable<z.ZodObject>>
  >,
);

function invalid(source: string, error: z.ZodError): ConfigError {
  const issues = zodIssues(error);
  return new ConfigError(`Invalid ${source}:\n${formatIssues(issues)}`, issues);
}

/**
 * Checks that each section present is a mapping (or empty), before flags are merged into it: spreading `aws: 5`
 * into `{ ...aws, regions }` would silently turn it into a valid section. Returns the raw configuration with
 * empty sections as `{}`.
 */
export function checkSections(raw: unknown, source = 'configuration'): Record<string, unknown> {
  const result = SectionsSchema.safeParse(raw ?? {}, { error: readableErrors });
  if (!result.success) throw invalid(source, result.error);
  const out: Record<string, unknown> = { ...result.data };
  for (const s of SECTIONS) if (out[s] === null) out[s] = {};
  return out;
}

/** Validates a configuration once; throws ConfigError naming every bad field. */
export function parseConfig(raw: unknown, source = 'configuration'): ScanConfig {
  const result = ScanConfigSchema.safeParse(checkSections(raw, source), { error: readableErrors });
  if (result.success) return result.data;
  throw invalid(source, result.error);
}

/**
 * What is valid but probably a mistake, to print before scanning: a region kubeposture does not know
 * (`us-east-9`) would only fail later as an unreachable endpoint.
 */
export function configWarnings(config: ScanConfig): string[] {
  if (config.aws.allowUnknownRegions) return [];
  const known = new Set(AWS_REGIONS);
  const unknown = (path: string, region: string) =>
    `${path}: ${region} is not a known AWS region${didYouMean(region, AWS_REGIONS)}. If AWS opened it after ` +
    `kubeposture's list (${AWS_REGIONS_AS_OF}), set aws.allowUnknownRegions: true or pass --allow-unknown-regions`;
  const out: string[] = [];
  config.aws.regions?.forEach((r, i) => {
    if (!known.has(r)) out.push(unknown(`aws.regions[${i}]`, r));
  });
  const hub = config.securityHub?.region;
  if (hub && !known.has(hub)) out.push(unknown('securityHub.region', hub));
  return out;
}
