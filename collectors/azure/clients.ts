import type { Agent } from 'node:https';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ContainerServiceClient } from '@azure/arm-containerservice';
import { createContainerService } from '@azure/arm-containerservice/api';
import { KeyVaultManagementClient } from '@azure/arm-keyvault';
import { MonitorClient } from '@azure/arm-monitor';
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicyName,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
  RestError,
  type RetryStrategy,
  retryPolicy,
} from '@azure/core-rest-pipeline';
import type { Deadline } from '../../core/deadline.ts';
import { connectTimeoutHttpsAgent } from '../common/agent.ts';
import { collectPages } from '../common/pages.ts';
import { checkResponse, MalformedResponseError } from '../common/response.ts';
import { ARM_ROUTES, armRouteOf, type SubscriptionsPage } from './schemas.ts';

export interface AzureClientOptions {
  /** ARM base URL. Normally unset: https://management.azure.com. */
  endpoint?: string;
  /** Extra CA (PEM) to trust for `endpoint`: the simulator's. */
  ca?: string;
  /** Total attempts per call (429, 408, 5xx, network errors and timeouts are retried). */
  maxAttempts: number;
  /** A new connection not established (TLS included) within this fails as ETIMEDOUT and is retried. */
  connectTimeoutMs: number;
  /** One attempt with no complete answer (body included) within this is abandoned and retried. */
  requestTimeoutMs: number;
  /** Pages of one `nextLink` walk beyond which it is cut (gap "pagination did not terminate"). */
  maxPages: number;
  /** The target's deadline: every request (every page, every retry) carries its signal; none starts after it. */
  deadline?: Deadline;
  /** Shared by the clients of one collector, so connections are kept alive across targets. */
  agent?: Agent;
}

/** The https agent for ARM: connect timeout, keep-alive, the extra CA. One per collector. */
export function armAgent(o: Pick<AzureClientOptions, 'connectTimeoutMs' | 'ca'>): Agent {
  return connectTimeoutHttpsAgent(o.connectTimeoutMs, o.ca ? { ca: o.ca } : {});
}

function common(o: AzureClientOptions) {
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    // The agent carries the CA (with an agent the pipeline ignores tlsOptions) and the connect timeout.
    agent: o.agent ?? armAgent(o),
    userAgentOptions: { userAgentPrefix: 'kubeposture' },
  };
}

/** Retry-After longer than this is not waited for: the call ends Throttled now rather than holding the target. */
const MAX_RETRY_AFTER_MS = 60_000;
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 20_000;
/** Network errors worth another attempt; ETIMEDOUT is also what the connect and request timeouts raise. */
const TRANSIENT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN']);

function retryAfterMs(response: PipelineResponse | undefined): number | undefined {
  if (!response) return undefined;
  for (const [header, unit] of [
    ['retry-after-ms', 1],
    ['x-ms-retry-after-ms', 1],
    ['retry-after', 1000],
  ] as const) {
    const value = response.headers.get(header);
    if (!value) continue;
    if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * unit;
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

/**
 * Replaces the SDK's default retry strategies, which (core-rest-pipeline 1.24) do not retry a 429 without a
 * Retry-After header, wait for any Retry-After however long, and never see a timed-out attempt as retryable (its
 * AbortError is not a RestError). Here: 408, 429 and 5xx (but 501/505) and transient network errors are retried with
 * exponential backoff and jitter, Retry-After (seconds, date, or the -ms headers) is honoured up to 60 s.
 */
const transientRetry: RetryStrategy = {
  name: 'kubeposture-transient',
  retry({ retryCount, response, responseError }) {
    const status = response?.status;
    const transientStatus =
      status !== undefined && (status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505));
    const transientError = !response && TRANSIENT_CODES.has(responseError?.code ?? '');
    if (!transientStatus && !transientError) return { skipStrategy: true };
    const after = retryAfterMs(response);
    if (after !== undefined) return after > MAX_RETRY_AFTER_MS ? { skipStrategy: true } : { retryAfterInMs: after };
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** retryCount);
    return { retryAfterInMs: ceiling / 2 + Math.random() * (ceiling / 2) };
  },
};

/**
 * One attempt's time limit, innermost in the pipeline (after signing, inside the retry loop) so each attempt gets
 * its own. Unlike the pipeline's `timeout` (whose timer stops when the headers arrive), it covers the body too, and
 * it fails with a RestError `ETIMEDOUT` that the retry strategy sees as transient.
 */
function attemptTimeoutPolicy(ms: number): PipelinePolicy {
  return {
    name: 'kubeposture-attempt-timeout',
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const controller = new AbortController();
      request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, controller.signal]) : controller.signal;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new RestError(`no complete answer within ${ms} ms`, { code: 'ETIMEDOUT', request }));
        }, ms);
      });
      try {
        return await Promise.race([next(request), timedOut]);
      } finally {
        clearTimeout(timer);
        request.abortSignal = outer;
      }
    },
  };
}

/**
 * The target's deadline, outermost: no request starts after it passed, every attempt and every retry wait carries
 * its signal (nextLink pages too, which the SDK sends without the caller's options), and whatever it cut short
 * fails with the deadline's `Timeout` error.
 */
function deadlinePolicy(deadline: Deadline): PipelinePolicy {
  return {
    name: 'kubeposture-deadline',
    async sendRequest(request, next) {
      deadline.check();
      const outer = request.abortSignal;
      request.abortSignal = outer ? AbortSignal.any([outer as AbortSignal, deadline.signal]) : deadline.signal;
      try {
        return await next(request);
      } catch (e) {
        if (deadline.expired) throw deadline.error();
        throw e;
      } finally {
        request.abortSignal = outer;
      }
    },
  };
}

/**
 * Validates the final (after retries) 2xx answer of every ARM GET against its schema in `ARM_ROUTES`, on the raw JSON
 * before the SDK deserializes it: a body that is empty, truncated, not JSON or without the fields ARM always returns
 * throws `MalformedResponseError` naming the action. A request no route describes is refused: nothing unvalidated
 * is believed.
 */
const validatePolicy: PipelinePolicy = {
  name: 'kubeposture-validate',
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status < 200 || response.status >= 300) throw armError(response);
    const { pathname } = new URL(request.url);
    const route = armRouteOf(pathname);
    if (!route) throw new MalformedResponseError(`GET ${pathname}`, 'an answer no response schema describes');
    let body: unknown;
    try {
      body = JSON.parse(response.bodyAsText ?? '');
    } catch {
      throw new MalformedResponseError(
        route.action,
        `a body that is not JSON (${(response.bodyAsText ?? '').length} bytes)`,
      );
    }
    checkResponse(route.action, route.schema, body);
    return response;
  },
};

/**
 * The final (after retries) error answer as a RestError carrying ARM's own `error.code` and `error.message`: the
 * SDK's paging helpers would otherwise throw "Pagination failed with unexpected statusCode 403", losing both.
 */
function armError(response: PipelineResponse): RestError {
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(response.bodyAsText ?? '') as { error?: typeof error }).error;
  } catch {
    // Not ARM's JSON error shape (a proxy's HTML page): the status alone says what happened.
  }
  const message = typeof error?.message === 'string' ? error.message : `ARM answered HTTP ${response.status}`;
  return new RestError(message, {
    statusCode: response.status,
    ...(typeof error?.code === 'string' ? { code: error.code } : {}),
    request: response.request,
    response,
  });
}

/** The same policies on every ARM pipeline this collector builds: one place, every call. */
function harden(pipeline: Pipeline, o: AzureClientOptions): void {
  const removed = pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  if (removed.length !== 1) throw new Error('The Azure SDK pipeline no longer has its defaultRetryPolicy');
  // Before the bearer-token policy, which hands `request.abortSignal` to the credential: getting a token is bounded too.
  if (o.deadline)
    pipeline.addPolicy(deadlinePolicy(o.deadline), { beforePolicies: [bearerTokenAuthenticationPolicyName] });
  pipeline.addPolicy(validatePolicy);
  pipeline.addPolicy(retryPolicy([transientRetry], { maxRetries: Math.max(0, o.maxAttempts - 1) }), { phase: 'Retry' });
  pipeline.addPolicy(attemptTimeoutPolicy(o.requestTimeoutMs), { afterPhase: 'Sign' });
}

export function containerServiceClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): ContainerServiceClient {
  const client = new ContainerServiceClient(credential, subscriptionId, common(o));
  harden(client.pipeline, o);
  return client;
}

export function monitorClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): MonitorClient {
  const client = new MonitorClient(credential, subscriptionId, common(o));
  harden(client.pipeline, o);
  return client;
}

export function authorizationClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): AuthorizationManagementClient {
  const client = new AuthorizationManagementClient(credential, subscriptionId, common(o));
  harden(client.pipeline, o);
  return client;
}

/** Key Vault through ARM (vaults and key metadata, never key material): readable with Reader, whatever the vault firewall. */
export function keyVaultClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): KeyVaultManagementClient {
  const client = new KeyVaultManagementClient(credential, subscriptionId, common(o));
  harden(client.pipeline, o);
  return client;
}

/** ARM's `GET /subscriptions` (api 2022-12-01), through the same hardened pipeline as the SDK clients. */
export async function listSubscriptionIds(credential: TokenCredential, o: AzureClientOptions): Promise<string[]> {
  const arm = createContainerService(credential, '00000000-0000-0000-0000-000000000000', common(o));
  harden(arm.pipeline, o);
  const { action, schema } = ARM_ROUTES.listSubscriptions;
  async function* pages(): AsyncGenerator<SubscriptionsPage> {
    // nextLink is absolute and carries its own api-version.
    let next: string | undefined = '/subscriptions?api-version=2022-12-01';
    while (next) {
      const res = await arm.pathUnchecked(next).get();
      if (!/^2\d\d$/.test(String(res.status))) {
        const body = res.body as { error?: { code?: string; message?: string } } | undefined;
        throw new RestError(body?.error?.message ?? `GET /subscriptions answered ${res.status}`, {
          statusCode: Number(res.status),
          ...(body?.error?.code ? { code: body.error.code } : {}),
        });
      }
      const page = checkResponse(action, schema, res.body) as SubscriptionsPage;
      yield page;
      next = page.nextLink ?? undefined;
    }
  }
  const subscriptions = await collectPages(pages(), (p) => p.value, {
    action,
    nextToken: (p) => (p as SubscriptionsPage).nextLink,
    maxPages: o.maxPages,
  });
  return subscriptions
    .filter((s) => s.state !== 'Disabled')
    .map((s) => s.subscriptionId)
    .sort();
}
