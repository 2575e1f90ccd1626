import nodeHttp from 'node:http';
import nodeHttps from 'node:https';
import { ClusterManagerClient } from '@google-cloud/container';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { type AuthClient, AwsClient, GoogleAuth } from 'google-auth-library';
import type { Deadline } from '../../core/deadline.ts';
import { CollectorError } from '../../core/errors.ts';
import { connectTimeoutHttpAgent, connectTimeoutHttpsAgent } from '../common/agent.ts';
import { collectPages } from '../common/pages.ts';
import { checkResponse } from '../common/response.ts';
import { type GcpAwsCredentialConfig, gcpCredentialConfigFromEnv } from './credential-config.ts';
import { classifyGcpError } from './errors.ts';
import { GCP_SCHEMAS, type GcpAction, type ListProjectsPage } from './schemas.ts';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const RESOURCE_MANAGER = 'https://cloudresourcemanager.googleapis.com';

export interface GcpClientOptions {
  /**
   * Base URL of a GKE REST endpoint (the simulator: `http://127.0.0.1:PORT`): switches the client to the REST
   * transport there. Normally unset: gRPC to container.googleapis.com.
   */
  endpoint?: string;
}

/** How every GKE and Resource Manager call is made: attempts, timeouts, page cap, and the target's deadline. */
export interface GcpCallSettings {
  /** Total attempts per call: timeouts, 408, 429, 5xx and network errors are retried with backoff. */
  maxAttempts: number;
  /** One attempt with no complete answer (body included) within this is abandoned (DEADLINE_EXCEEDED / TimeoutError). */
  requestTimeoutMs: number;
  maxPages: number;
  deadline?: Deadline;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;

/**
 * Retried: the transient failures (throttling, timeouts, the service or network unavailable, any 5xx). Not retried:
 * denials, not-found, and answers that arrived but are malformed (the same body would come back).
 */
function isTransient(e: unknown): boolean {
  const code = classifyGcpError(e);
  if (code === 'Throttled' || code === 'Timeout' || code === 'Unreachable') return true;
  const err = e as { httpStatusCode?: number; status?: number; response?: { status?: number } };
  const http = err.httpStatusCode ?? (typeof err.status === 'number' ? err.status : err.response?.status);
  return code === 'Unknown' && http !== undefined && (http >= 500 || http === 408);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * One GKE or Resource Manager call, as every one is made. Each attempt gets `requestTimeoutMs` and the deadline's
 * signal; transient failures are retried up to `maxAttempts` with jittered exponential backoff (the library's own
 * retries are off: gax reports exhausted retries as DEADLINE_EXCEEDED whatever the last error was, and neither gax
 * nor gaxios retries 429 by default everywhere); no attempt starts after the deadline, and what it cut short fails
 * with its `Timeout` error. The answer is checked against `GCP_SCHEMAS[action]` before it is returned.
 */
export async function gcpCall<T>(
  action: GcpAction,
  s: GcpCallSettings,
  attempt: (o: { timeout: number; signal: AbortSignal | undefined }) => Promise<T>,
): Promise<T> {
  const signal = s.deadline?.signal;
  for (let n = 1; ; n++) {
    s.deadline?.check();
    try {
      const answer = await attempt({ timeout: s.requestTimeoutMs, signal });
      checkResponse(action, GCP_SCHEMAS[action], answer);
      return answer;
    } catch (e) {
      if (s.deadline?.expired) throw s.deadline.error();
      if (e instanceof CollectorError || n >= s.maxAttempts || !isTransient(e)) throw e;
      const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (n - 1));
      await pause(ceiling / 2 + Math.random() * (ceiling / 2), signal);
    }
  }
}

/** gax call options that leave retries and the attempt's time limit to `gcpCall`. */
export function gaxOptions(o: { timeout: number; signal: AbortSignal | undefined }) {
  return { timeout: o.timeout, retry: null, ...(o.signal ? { signal: o.signal } : {}) };
}

const hardened = new WeakSet<AuthClient>();

/**
 * Gives every request of an auth client (the GKE REST fallback's and Resource Manager's, which both go through
 * `auth.request`, and its token exchanges) an agent with a connect timeout, through a gaxios request interceptor.
 * Once per auth client. The gRPC transport (production GKE) has its own connection handling; its calls are bounded
 * by the per-attempt deadline.
 */
export function withConnectTimeout(auth: AuthClient, connectTimeoutMs: number): AuthClient {
  if (hardened.has(auth)) return auth;
  hardened.add(auth);
  const http = connectTimeoutHttpAgent(connectTimeoutMs);
  const https = connectTimeoutHttpsAgent(connectTimeoutMs);
  auth.transporter.interceptors.request.add({
    resolved: async (opts) => {
      // Only a missing agent or gax's plain keep-alive ones (given as a function of the URL) are replaced: a proxy
      // agent (HTTPS_PROXY, an Agent subclass) is left alone.
      const kind = opts.agent?.constructor;
      if (!opts.agent || typeof opts.agent === 'function' || kind === nodeHttp.Agent || kind === nodeHttps.Agent)
        opts.agent = opts.url.protocol === 'http:' ? http : https;
      return opts;
    },
  });
  return auth;
}

/**
 * Always passed an explicit auth client: without one, gax asks google-auth-library for the universe domain,
 * which probes the GCE metadata server.
 */
export function clusterManagerClient(auth: AuthClient, o: GcpClientOptions): ClusterManagerClient {
  return new ClusterManagerClient(gapicOptions(auth, o) as ConstructorParameters<typeof ClusterManagerClient>[0]);
}

/** Cloud KMS (key metadata only: `getCryptoKey`), built as the GKE client is, so the simulator's REST port serves both. */
export function kmsClient(auth: AuthClient, o: GcpClientOptions): KeyManagementServiceClient {
  return new KeyManagementServiceClient(
    gapicOptions(auth, o) as ConstructorParameters<typeof KeyManagementServiceClient>[0],
  );
}

/** gRPC to Google by default; with `endpoint`, the REST transport there (the simulator). Always an explicit auth client. */
function gapicOptions(auth: AuthClient, o: GcpClientOptions): Record<string, unknown> {
  if (!o.endpoint) return { authClient: auth };
  const url = new URL(o.endpoint);
  return {
    fallback: true,
    apiEndpoint: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', ''),
    authClient: auth,
  };
}

/**
 * The AWS workload identity federation client for a checked credential configuration. Building it makes no call:
 * the first token request signs a GetCallerIdentity with the AWS_* environment credentials (Lambda's role) and
 * exchanges it at Google STS.
 */
export function federatedAuthClient(config: GcpAwsCredentialConfig): AuthClient {
  // AwsClient directly rather than ExternalAccountClient.fromJSON: parseGcpCredentialConfig has already checked the
  // type and URLs that fromJSON warns it does not.
  return new AwsClient({ ...config, scopes: [CLOUD_PLATFORM_SCOPE] });
}

/**
 * The auth client when none is injected: the federated one when `KUBEPOSTURE_GCP_CREDENTIAL_CONFIG` is set (Lambda,
 * where there is neither a gcloud login nor a metadata server), else Application Default Credentials.
 */
export async function defaultAuthClient(env: Record<string, string | undefined> = process.env): Promise<AuthClient> {
  const config = gcpCredentialConfigFromEnv(env);
  if (config) return federatedAuthClient(config);
  return (await new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }).getClient()) as AuthClient;
}

/** A Google REST `GET` through the auth client, made and checked as every call is (`gcpCall`). */
export function gcpGetJson<T>(auth: AuthClient, action: GcpAction, url: URL, s: GcpCallSettings): Promise<T> {
  return gcpCall(action, s, async ({ timeout, signal }) => {
    const res = await auth.request<T>({
      url: url.toString(),
      timeout,
      ...(signal ? { signal } : {}),
      // A body that is not JSON stays a string, and the schema refuses it.
      responseType: 'json',
      retry: false,
    });
    return res.data;
  });
}

/** Active projects the identity can see (Cloud Resource Manager v1 `projects.list`), following page tokens. */
export async function listProjectIds(auth: AuthClient, o: GcpClientOptions & GcpCallSettings): Promise<string[]> {
  const base = o.endpoint ?? RESOURCE_MANAGER;
  async function* pages(): AsyncGenerator<ListProjectsPage> {
    let pageToken: string | undefined;
    do {
      const url = new URL('/v1/projects', base);
      url.searchParams.set('filter', 'lifecycleState:ACTIVE');
      if (pageToken) url.searchParams.set('pageToken', pageToken);
      const page = await gcpGetJson<ListProjectsPage>(auth, 'crm:ListProjects', url, o);
      yield page;
      pageToken = page.nextPageToken || undefined;
    } while (pageToken);
  }
  const projects = await collectPages(pages(), (p) => p.projects, {
    action: 'crm:ListProjects',
    nextToken: (p) => (p as ListProjectsPage).nextPageToken,
    maxPages: o.maxPages,
  });
  return projects
    .filter((p) => p.lifecycleState === 'ACTIVE')
    .map((p) => p.projectId)
    .sort();
}
