import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { PatientRetryStrategy } from './retry.ts';

export type AwsCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface AwsClientOptions {
  maxAttempts: number;
  retryBaseDelayMs: number;
  /**
   * Overrides every service's endpoint. Normally unset: the SDK's standard mechanisms
   * (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, profiles) decide, so one binary scans AWS and the simulator.
   */
  endpoint?: string;
}

/** Exponential backoff with full jitter, capped at 20 s: spreads retries of many concurrent targets. */
export function backoffDelay(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(20_000, baseMs * 2 ** attempt);
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

function common(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions) {
  return {
    region,
    ...(credentials ? { credentials } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    retryStrategy: new PatientRetryStrategy({
      maxAttempts: o.maxAttempts,
      delay: (retry) => backoffDelay(o.retryBaseDelayMs, retry),
    }),
  };
}

export function stsClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): STSClient {
  return new STSClient(common(region, credentials, o));
}

export function eksClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EKSClient {
  return new EKSClient(common(region, credentials, o));
}

export function ec2Client(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EC2Client {
  return new EC2Client(common(region, credentials, o));
}

export function organizationsClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): OrganizationsClient {
  return new OrganizationsClient(common(region, credentials, o));
}

/** IAM is global: one client per account, signed for the home region's partition. */
export function iamClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): IAMClient {
  return new IAMClient(common(region, credentials, o));
}

export function ssmClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): SSMClient {
  return new SSMClient(common(region, credentials, o));
}

export function guardDutyClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): GuardDutyClient {
  return new GuardDutyClient(common(region, credentials, o));
}
