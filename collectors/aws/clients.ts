import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
// The SDK's own config loaders (dependencies of each @aws-sdk/client-*), shared by all clients below.
import { NODE_APP_ID_CONFIG_OPTIONS } from '@aws-sdk/core/client';
import { NODE_AUTH_SCHEME_PREFERENCE_OPTIONS } from '@aws-sdk/core/httpAuthSchemes';
import {
  loadConfig,
  NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS,
  NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS,
} from '@smithy/core/config';
import { parseUrl } from '@smithy/core/protocols';
// The handler every SDK client uses by default (a dependency of each @aws-sdk/client-*), configured here.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type AwsCredentialIdentity, type AwsCredentialIdentityProvider, SMITHY_CONTEXT_KEY } from '@smithy/types';
import { CollectionSettingsSchema } from '../../core/config.ts';
import { keepAliveAgents } from '../common/agent.ts';
import { classifyAwsError } from './errors.ts';
import { leanSerde, staticUserAgent } from './lean-middleware.ts';
import type { AdaptiveRateLimiter } from './rate-limit.ts';
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
  /** Paces every call of the client (shared by all clients of its account, region and service): rate-limit.ts. */
  limiter?: AdaptiveRateLimiter;
  /**
   * A target deadline's signal, bound to the client: it aborts every request in flight and every wait for a token.
   * Calls then need no per-call options, which lets the SDK reuse the resolved middleware of each command
   * (`cacheMiddleware`) instead of rebuilding and sorting the stack on every call.
   */
  signal?: AbortSignal;
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
 *
 * One handler (so one keep-alive agent, one pool of connections per endpoint) per timeout setting for the whole
 * process: every client of every account, region and target reuses the same connections (HTTP connections carry
 * no credentials; each request is signed), instead of each client opening its own. It outlives the clients: a
 * client's `destroy()` leaves it alone, and its idle sockets never hold the process open.
 */
export function requestHandler(o: Pick<AwsClientOptions, 'connectTimeoutMs' | 'requestTimeoutMs'>): NodeHttpHandler {
  const connectionTimeout = o.connectTimeoutMs ?? COLLECTION_DEFAULTS.connectTimeoutMs;
  const requestTimeout = o.requestTimeoutMs ?? COLLECTION_DEFAULTS.requestTimeoutMs;
  const key = `${connectionTimeout}/${requestTimeout}`;
  let handler = HANDLERS.get(key);
  if (!handler) {
    handler = new SharedHttpHandler({
      connectionTimeout,
      requestTimeout,
      socketTimeout: requestTimeout,
      throwOnRequestTimeout: true,
      ...keepAliveAgents(),
    });
    HANDLERS.set(key, handler);
  }
  return handler;
}

/** A handler shared by many clients: destroying one client must not close the others' connections. */
class SharedHttpHandler extends NodeHttpHandler {
  override destroy(): void {}
}

type Handle = NodeHttpHandler['handle'];

/** The shared handler with a client's bound signal on every request (one the call gives wins). */
function signalled(shared: NodeHttpHandler, signal: AbortSignal): NodeHttpHandler {
  const bound = Object.create(shared) as NodeHttpHandler;
  bound.handle = ((request, options) =>
    shared.handle(request, { ...options, abortSignal: options?.abortSignal ?? signal })) as Handle;
  return bound;
}
const HANDLERS = new Map<string, NodeHttpHandler>();

/**
 * Paces the client's calls with its limiter. Inside the retry loop, before signing: every attempt, retries
 * included, waits for a token (so a retry is paced too, and the signature is fresh), and every answer teaches
 * the limiter: a throttling error slows it, a success lets it probe upwards. The error itself goes on to the retry
 * strategy unchanged, which retries it while attempts remain. The wait ends with the call's abort signal (the
 * target deadline): the call then fails as a Timeout, never hangs.
 */
export function paceCalls(
  client: { middlewareStack: AnyMiddlewareStack },
  limiter: AdaptiveRateLimiter,
  signal?: AbortSignal,
): void {
  client.middlewareStack.addRelativeTo(
    // biome-ignore lint/suspicious/noExplicitAny: the middleware is the same for every client's input and output.
    (next: (args: any) => Promise<any>, context: Record<string, any>) => async (args: unknown) => {
      await limiter.acquire((context[SMITHY_CONTEXT_KEY]?.abortSignal as AbortSignal | undefined) ?? signal);
      try {
        const out = await next(args);
        limiter.succeeded();
        return out;
      } catch (e) {
        if (classifyAwsError(e) === 'Throttled') limiter.throttled();
        throw e;
      }
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'kubeposturePace', override: true },
  );
}

/**
 * The settings each client would otherwise load itself from the environment and the shared config files
 * (`AWS_USE_FIPS_ENDPOINT`, `use_dualstack_endpoint`, `sdk_ua_app_id`, ...), loaded once per process by the SDK's
 * own loaders with the same sources and defaults, and shared by every client. Each client's own loaders are memoized
 * per client only, and a scan builds clients per account, region and service: every new client read every setting
 * again, through an error with a stack trace per source that does not set it (fromEnv, then the config files).
 */
let processSettings:
  | {
      useFipsEndpoint: () => Promise<boolean>;
      useDualstackEndpoint: () => Promise<boolean>;
      userAgentAppId: () => Promise<string | undefined>;
      authSchemePreference: () => Promise<string[]>;
    }
  | undefined;
function sharedSettings(): NonNullable<typeof processSettings> {
  // The clients' own loader options: no profile (the default one), the SDK's no-op logger.
  processSettings ??= {
    useFipsEndpoint: loadConfig(NODE_USE_FIPS_ENDPOINT_CONFIG_OPTIONS, {}),
    useDualstackEndpoint: loadConfig(NODE_USE_DUALSTACK_ENDPOINT_CONFIG_OPTIONS, {}),
    userAgentAppId: loadConfig(NODE_APP_ID_CONFIG_OPTIONS, {}),
    authSchemePreference: loadConfig(NODE_AUTH_SCHEME_PREFERENCE_OPTIONS, {}),
  };
  return processSettings;
}

const PARSED_ENDPOINTS = new Map<string, ReturnType<typeof parseUrl>>();
/** A custom endpoint as the SDK parses it, once per process (given as text, the SDK parsed it on every call). */
function parsedEndpoint(url: string): ReturnType<typeof parseUrl> {
  let parsed = PARSED_ENDPOINTS.get(url);
  if (!parsed) {
    parsed = Object.freeze(parseUrl(url));
    PARSED_ENDPOINTS.set(url, parsed);
  }
  return parsed;
}

function common(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions) {
  return {
    region,
    ...sharedSettings(),
    maxAttempts: o.maxAttempts,
    ...(credentials ? { credentials } : {}),
    ...(o.endpoint ? { endpoint: parsedEndpoint(o.endpoint) } : {}),
    requestHandler: o.signal ? signalled(requestHandler(o), o.signal) : requestHandler(o),
    // Used only by calls without options (clients bound to a signal): see `signal`.
    cacheMiddleware: true,
    retryStrategy: new PatientRetryStrategy({
      maxAttempts: o.maxAttempts,
      delay: (retry) => backoffDelay(o.retryBaseDelayMs, retry),
    }),
  };
}

/**
 * Every client answers only what its schema allows (collectors/aws/responses.ts), and is paced when given a limiter.
 * The SDK's logger middleware goes: with no logger it still copies every input and output through the sensitive-data
 * filter (a walk of the whole answer per call) to hand them to a no-op; we never give the SDK a logger.
 */
function checked<C extends { middlewareStack: AnyMiddlewareStack; config: unknown }>(
  client: C,
  service: string,
  o?: Pick<AwsClientOptions, 'limiter' | 'signal'>,
): C {
  validateResponses(client, service);
  client.middlewareStack.remove('loggerMiddleware');
  staticUserAgent(client, service);
  leanSerde(client);
  if (o?.limiter) paceCalls(client, o.limiter, o.signal);
  return client;
}

export function stsClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): STSClient {
  return checked(new STSClient(common(region, credentials, o)), 'sts', o);
}

export function eksClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EKSClient {
  return checked(new EKSClient(common(region, credentials, o)), 'eks', o);
}

export function ec2Client(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): EC2Client {
  return checked(new EC2Client(common(region, credentials, o)), 'ec2', o);
}

export function organizationsClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): OrganizationsClient {
  return checked(new OrganizationsClient(common(region, credentials, o)), 'organizations', o);
}

/** IAM is global: one client per account, signed for the home region's partition. */
export function iamClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): IAMClient {
  return checked(new IAMClient(common(region, credentials, o)), 'iam', o);
}

export function ssmClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): SSMClient {
  return checked(new SSMClient(common(region, credentials, o)), 'ssm', o);
}

export function guardDutyClient(
  region: string,
  credentials: AwsCredentials | undefined,
  o: AwsClientOptions,
): GuardDutyClient {
  return checked(new GuardDutyClient(common(region, credentials, o)), 'guardduty', o);
}

/** KMS in the cluster's region: the key that encrypts Secrets (collectors/aws/kms.ts). */
export function kmsClient(region: string, credentials: AwsCredentials | undefined, o: AwsClientOptions): KMSClient {
  return checked(new KMSClient(common(region, credentials, o)), 'kms', o);
}
