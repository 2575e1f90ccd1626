import { z } from 'zod';
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
    /** Results are kept this long (days), then expire. */
    retentionDays: z.number().int().min(30).max(3650).default(400),
  })
  .strict();

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
