import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
// The handler every SDK client uses by default (a dependency of each @aws-sdk/client-*), configured here.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CollectionSettingsSchema } from '../../core/config.ts';
import { type AnyMiddlewareStack, validateResponses } from './responses.ts';
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
  /** `collection.connectTimeoutMs`; default the config's. */
  connectTimeoutMs?: number;
  /** `collection.requestTimeoutMs`; default the config's. */
  requestTimeoutMs?: number;
}

const COLLECTION_DEFAULTS = CollectionSettingsSchema.parse({});

/** Exponential backoff with full jitter, capped at 20 s: spreads retries of many concurrent targets. */
export function backoffDelay(baseMs: number, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(20_000, baseMs * 2 ** attempt);
  return Math.max(1, Math.round(ceiling * (0.5 + random() / 2)));
}

/**
 * Timeouts on every request: without them a connection that never answers holds its target (and a Lambda) until it
 * is killed. The handler raises `TimeoutError` for each, which the SDK classifies as transient, so our retry
 * strategy tries again: a hung call costs at most requestTimeoutMs × maxAttempts (plus backoff).
 * - connectionTimeout: no TCP connection within it;
 * - requestTimeout: no response headers within it (throwOnRequestTimeout: without it the handler only logs a warning);
 * - socketTimeout: a response that stops sending for as long (a body that stalls after its headers).
 * Keep-alive (the handler's default agents have it; said here so it stays): one connection serves a walk's pages.
 */
export function requestHandler(o: Pick<AwsClientOptions, 'connectTimeoutMs' | 'requestTimeoutMs'>): NodeHttpHandler {
  const requestTimeout = o.requestTimeoutMs ?? COLLECTION_DEFAULTS.requestTimeoutMs;
  return new NodeHttpHandler({
    connectionTimeout: o.connectTimeoutMs ?? COLLECTION_DEFAULTS.connectTimeoutMs,
    requestTimeout,
    socketTimeout: requestTimeout,
    throwOnRequestTimeout: true,
    httpAgent: { keepAlive: true },
    httpsAgent: { keepAlive: true },
  });
}

function common(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions) {
  return {
    region,
    ...(credentials ? { credentials } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    requestHandler: requestHandler(o),
    retryStrategy: new PatientRetryStrategy({
      maxAttempts: o.maxAttempts,
      delay: (retry) => backoffDelay(o.retryBaseDelayMs, retry),
    }),
  };
}

/** Every client answers only what its schema allows (collectors/aws/responses.ts). */
function checked<C extends { middlewareStack: AnyMiddlewareStack }>(client: C, service: string): C {
  validateResponses(client, service);
  return client;
}

export function stsClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): STSClient {
  return checked(new STSClient(common(region, credentials, o)), 'sts');
}

export function eksClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EKSClient {
  return checked(new EKSClient(common(region, credentials, o)), 'eks');
}

export function ec2Client(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EC2Client {
  return checked(new EC2Client(common(region, credentials, o)), 'ec2');
}

export function organizationsClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): OrganizationsClient {
  return checked(new OrganizationsClient(common(region, credentials, o)), 'organizations');
}

/** IAM is global: one client per account, signed for the home region's partition. */
export function iamClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): IAMClient {
  return checked(new IAMClient(common(region, credentials, o)), 'iam');
}

export function ssmClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): SSMClient {
  return checked(new SSMClient(common(region, credentials, o)), 'ssm');
}

export function guardDutyClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): GuardDutyClient {
  return checked(new GuardDutyClient(common(region, credentials, o)), 'guardduty');
}
