import * as z from 'zod';
import { gcpCredentialConfigIssue } from '../collectors/gcp/credential-config.ts';
import { formatIssuePath } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { SEVERITIES } from '../core/severity.ts';

/**
 * The deployment's settings, from the `kubeposture` key of cdk.json context (or `-c kubeposture=<json>`).
 * Validated at synth, so a bad value never deploys; an error names the key (`kubeposture.map.maxConcurrency`).
 * The scan configuration itself (`scan`) is the CLI's document and is validated with the CLI's schema.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DeploymentConfigSchema = z
  .object({
    /** EventBridge Scheduler expression, in UTC unless `timezone` says otherwise. */
    schedule: z
      .string()
      .regex(/^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/, 'cron(...) or rate(N unit)')
      .default('cron(0 6 * * ? *)'),
    timezone: z.string().min(1).default('UTC'),
    /** The scan configuration (as `kubeposture.yaml`, in JSON): organization or accounts, regions, clouds, checks. */
    scan: z.record(z.string(), z.unknown()).default({ aws: { organization: {} } }),
    map: z
      .object({
        /** Scan-target invocations at once. The EKS API of each account is the limit that matters (docs/deploy.md). */
        maxConcurrency: z.number().int().min(1).max(10_000).default(40),
        /** A scan still finalizes when up to this share of targets fail for good (their absence is reported). */
        toleratedFailurePercentage: z.number().min(0).max(100).default(10),
      })
      .strict()
      .default({ maxConcurrency: 40, toleratedFailurePercentage: 10 }),
    notifications: z
      .object({
        /** Addresses subscribed to the alerts topic (each confirms by email). */
        emails: z.array(z.string().email()).default([]),
        /** Create the Secrets Manager secret the Slack digest reads its webhook URL from (set its value after deploy). */
        slack: z.boolean().default(true),
        /** Alert on FAIL findings at or above this severity. */
        severityThreshold: z.enum(SEVERITIES).default('high'),
      })
      .strict()
      .default({ emails: [], slack: true, severityThreshold: 'high' }),
    /**
     * How plan and scan-target reach Azure and Google Cloud with no stored secret (docs/deploy.md §5). Each cloud is
     * wired (environment, and for Azure the `sts:GetWebIdentityToken` grant) only when its section is present.
     */
    federation: z
      .object({
        /** Entra ID app registration or user-assigned managed identity with a federated credential for the AWS roles. */
        azure: z
          .object({
            /** Directory (tenant) id, or its verified domain. */
            tenantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'a tenant GUID or domain'),
            /** Application (client) id of the app registration or managed identity. */
            clientId: z.string().regex(GUID, 'a GUID'),
          })
          .strict()
          .optional(),
        gcp: z
          .object({
            /** The output of `gcloud iam workload-identity-pools create-cred-config ... --aws` (it holds no secret). */
            credentialConfig: z.record(z.string(), z.unknown()).superRefine((cfg, ctx) => {
              const problem = gcpCredentialConfigIssue(cfg);
              if (problem) {
                ctx.addIssue({
                  code: 'custom',
                  message: problem.message,
                  path: problem.field ? problem.field.split('.') : [],
                });
              }
            }),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /**
     * Stack traces in the functions' logs mapped to the TypeScript sources (Node's `--enable-source-maps`). Off by
     * default: Node then reads each loaded file's source map at cold start. The maps ship either way.
     */
    sourceMaps: z.boolean().default(false),
    /** Results are kept this long (days), then expire. */
    retentionDays: z.number().int().min(30).max(3650).default(400),
    /**
     * Guard rails (docs/deploy.md §3): how many scan-target copies may run at once, and how fast the API answers.
     * With IAM authorization there are no API keys, so a usage plan would meter nothing: stage and method
     * throttling are what limit callers.
     */
    limits: z
      .object({
        /**
         * Reserved concurrency of scan-target. Default: twice `map.maxConcurrency` (a scheduled and an on-demand
         * scan at full speed at once), which also caps the AssumeRole rate on the security account's STS bucket
         * and leaves the account's other concurrency to plan, finalize and the API. At least `map.maxConcurrency`.
         */
        scanTargetConcurrency: z.number().int().min(1).max(10_000).optional(),
        /** Steady requests per second and burst for the whole API stage. */
        apiRatePerSecond: z.number().min(0.1).max(10_000).default(10),
        apiBurst: z.number().int().min(1).max(5_000).default(20),
        /** `POST /scans` (each one may start an organization-wide scan): requests per second and burst. */
        startScanRatePerSecond: z.number().min(0.1).max(100).default(1),
        startScanBurst: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .default({ apiRatePerSecond: 10, apiBurst: 20, startScanRatePerSecond: 1, startScanBurst: 2 }),
    /**
     * Security Hub CSPM: finalize imports new, regressed and resolved findings (ASFF) into the security
     * account's Security Hub in this region (docs/deploy.md §6). Off by default; the IAM grant exists only when on.
     */
    securityHub: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .default({ enabled: false }),
    /**
     * Change-driven rescans (issue 14, docs/deploy.md §9): member accounts forward EKS and IAM CloudTrail events to a
     * central event bus here, which admits only this organization; a queue coalesces them per cluster for the rescan
     * function. Absent: no bus, no queue, and the member template forwards nothing.
     */
    events: z
      .object({
        /** The AWS Organizations id the bus admits (`aws:PrincipalOrgID`); `aws organizations describe-organization`. */
        organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5'),
        /** SQS delivery delay (seconds) before a rescan may take an event: lets a burst of changes gather. */
        delaySeconds: z.number().int().min(0).max(900).default(60),
        /** How long (seconds) the function's poller gathers messages into one batch: more coalescing, more latency. */
        batchWindowSeconds: z.number().int().min(0).max(300).default(30),
        /**
         * When (seconds after the event) the second rescan of a change EKS applies asynchronously runs (endpoint,
         * version, encryption, node groups, add-ons, create, delete): the first may still see the old configuration.
         */
        settleSeconds: z.number().int().min(60).max(900).default(900),
        /** Rescan invocations at once per queue (the event source's maximum concurrency): bounds EKS API load. */
        maxConcurrency: z.number().int().min(2).max(1000).default(5),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const reserved = d.limits.scanTargetConcurrency;
    if (reserved !== undefined && reserved < d.map.maxConcurrency) {
      ctx.addIssue({
        code: 'custom',
        path: ['limits', 'scanTargetConcurrency'],
        message: `must be at least map.maxConcurrency (${d.map.maxConcurrency}), or the map throttles its own children`,
      });
    }
    if (d.events && d.events.settleSeconds <= d.events.delaySeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['events', 'settleSeconds'],
        message: `must be more than events.delaySeconds (${d.events.delaySeconds}): the settled rescan comes second`,
      });
    }
  });

/** The reserved concurrency scan-target gets: the setting, or twice the map's concurrency. */
export function scanTargetConcurrency(d: DeploymentConfig): number {
  return d.limits.scanTargetConcurrency ?? 2 * d.map.maxConcurrency;
}

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/** Parses the context value (an object, or JSON text from `-c`); throws ConfigError naming every bad key. */
export function parseDeploymentConfig(raw: unknown, key = 'kubeposture'): DeploymentConfig {
  let value = raw ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ConfigError(`${key} is a string but not valid JSON`);
    }
  }
  const r = DeploymentConfigSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: formatIssuePath([key, ...i.path]), message: i.message }));
  throw new ConfigError(`Invalid ${key}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, issues);
}
