import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.ts';

/** The workload identity federation credential configuration (its JSON text, or a path to a file holding it). */
export const GCP_CREDENTIAL_CONFIG_ENV = 'KUBEPOSTURE_GCP_CREDENTIAL_CONFIG';

/**
 * What `gcloud iam workload-identity-pools create-cred-config ... --aws` writes: no secret, only where to exchange
 * a signed AWS `GetCallerIdentity` (made from the Lambda's own environment credentials) for a Google token.
 */
export interface GcpAwsCredentialConfig {
  type: 'external_account';
  audience: string;
  subject_token_type: string;
  token_url: string;
  credential_source: { environment_id: 'aws1'; regional_cred_verification_url: string; [k: string]: unknown };
  service_account_impersonation_url?: string;
  [k: string]: unknown;
}

const GOOGLE_URL = /^https:\/\/[a-z0-9.-]+\.googleapis\.com(\/|$)/;
const AWS_STS_URL = /^https:\/\/sts\.(\{region\}|[a-z0-9-]+)\.amazonaws\.com(\.cn)?([/?]|$)/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first problem with a credential configuration, as the field (dotted, '' for the whole value) and what is wrong;
 * undefined when it is an AWS workload identity federation config. Only the AWS provider is accepted: a file-, URL- or
 * executable-sourced config would not work in Lambda, and a service-account key (`type: service_account`) is the
 * stored secret this path exists to avoid.
 */
export function gcpCredentialConfigIssue(cfg: unknown): { field: string; message: string } | undefined {
  const issue = (field: string, message: string) => ({ field, message });
  if (!isObject(cfg))
    return issue('', 'must be a JSON object (a workload identity federation credential configuration)');
  if (cfg.type !== 'external_account') {
    return issue(
      'type',
      `must be 'external_account' (a workload identity federation config), not ${JSON.stringify(cfg.type)}` +
        (cfg.type === 'service_account' ? ': a service-account key is a stored secret' : ''),
    );
  }
  for (const field of ['audience', 'subject_token_type', 'token_url'] as const) {
    if (typeof cfg[field] !== 'string' || cfg[field] === '') return issue(field, 'must be a non-empty string');
  }
  if (!isObject(cfg.credential_source)) return issue('credential_source', 'must be an object');
  if (cfg.credential_source.environment_id !== 'aws1') {
    return issue(
      'credential_source.environment_id',
      `must be 'aws1' (a config for an AWS workload identity provider), not ${JSON.stringify(cfg.credential_source.environment_id)}`,
    );
  }
  // The library sends the AWS-signed request and the Google tokens to these URLs as given; Google asks callers to
  // check them (externally-sourced credentials), so a config cannot point them elsewhere.
  if (!GOOGLE_URL.test(cfg.token_url as string)) return issue('token_url', 'must be an https://*.googleapis.com URL');
  const impersonation = cfg.service_account_impersonation_url;
  if (impersonation !== undefined && (typeof impersonation !== 'string' || !GOOGLE_URL.test(impersonation))) {
    return issue('service_account_impersonation_url', 'must be an https://*.googleapis.com URL when present');
  }
  const verification = cfg.credential_source.regional_cred_verification_url;
  if (typeof verification !== 'string' || !AWS_STS_URL.test(verification)) {
    return issue(
      'credential_source.regional_cred_verification_url',
      'must be the regional AWS STS GetCallerIdentity URL (https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15)',
    );
  }
  return undefined;
}

/** Parses (JSON text or an object) and checks a credential configuration; a ConfigError names the source and field. */
export function parseGcpCredentialConfig(value: unknown, source = GCP_CREDENTIAL_CONFIG_ENV): GcpAwsCredentialConfig {
  let cfg = value;
  if (typeof cfg === 'string') {
    try {
      cfg = JSON.parse(cfg);
    } catch {
      throw new ConfigError(`${source} is not valid JSON`);
    }
  }
  const problem = gcpCredentialConfigIssue(cfg);
  if (problem) {
    const path = problem.field ? `${source}.${problem.field}` : source;
    throw new ConfigError(`${path}: ${problem.message}`, [{ path, message: problem.message }]);
  }
  return cfg as GcpAwsCredentialConfig;
}

/**
 * The configuration named by `KUBEPOSTURE_GCP_CREDENTIAL_CONFIG`: inline JSON (the stack sets it so, since a Lambda
 * bundle has no room for a side file) or a path to a file (a workstation). Undefined when the variable is unset.
 */
export function gcpCredentialConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): GcpAwsCredentialConfig | undefined {
  const raw = env[GCP_CREDENTIAL_CONFIG_ENV]?.trim();
  if (!raw) return undefined;
  if (raw.startsWith('{')) return parseGcpCredentialConfig(raw);
  let text: string;
  try {
    text = readFile(raw);
  } catch (e) {
    throw new ConfigError(`${GCP_CREDENTIAL_CONFIG_ENV} names ${raw}, which cannot be read: ${(e as Error).message}`);
  }
  return parseGcpCredentialConfig(text, `${GCP_CREDENTIAL_CONFIG_ENV} (${raw})`);
}
