import { ContainerServiceClient } from '@azure/arm-containerservice';
import { createContainerService } from '@azure/arm-containerservice/api';
import { MonitorClient } from '@azure/arm-monitor';
import type { TokenCredential } from '@azure/core-auth';

export interface AzureClientOptions {
  /** ARM base URL. Normally unset: https://management.azure.com. */
  endpoint?: string;
  /** Extra CA (PEM) to trust for `endpoint`: the simulator's. */
  ca?: string;
  /** Total attempts per call; the pipeline retries 429 and 5xx with backoff and honours Retry-After. */
  maxAttempts: number;
}

function common(o: AzureClientOptions) {
  return {
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.ca ? { tlsOptions: { ca: o.ca } } : {}),
    retryOptions: { maxRetries: Math.max(0, o.maxAttempts - 1), retryDelayInMs: 500, maxRetryDelayInMs: 20_000 },
    userAgentOptions: { userAgentPrefix: 'kubeposture' },
  };
}

export function containerServiceClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): ContainerServiceClient {
  return new ContainerServiceClient(credential, subscriptionId, common(o));
}

export function monitorClient(
  credential: TokenCredential,
  subscriptionId: string,
  o: AzureClientOptions,
): MonitorClient {
  return new MonitorClient(credential, subscriptionId, common(o));
}

/** ARM's `GET /subscriptions` (api 2022-12-01), through the same pipeline (auth, TLS, retries) as the SDK clients. */
export async function listSubscriptionIds(credential: TokenCredential, o: AzureClientOptions): Promise<string[]> {
  const arm = createContainerService(credential, '00000000-0000-0000-0000-000000000000', common(o));
  const ids: string[] = [];
  // nextLink is absolute and carries its own api-version.
  let next: string | undefined = '/subscriptions?api-version=2022-12-01';
  const seen = new Set<string>();
  while (next && !seen.has(next)) {
    seen.add(next);
    const res = await arm.pathUnchecked(next).get();
    const body = res.body as {
      value?: { subscriptionId?: string; state?: string }[];
      nextLink?: string;
      error?: { code?: string; message?: string };
    };
    if (!/^2\d\d$/.test(String(res.status))) {
      throw Object.assign(new Error(body?.error?.message ?? `GET /subscriptions answered ${res.status}`), {
        name: 'RestError',
        statusCode: Number(res.status),
        code: body?.error?.code,
      });
    }
    for (const s of body.value ?? [])
      if (s.subscriptionId && (s.state ?? 'Enabled') !== 'Disabled') ids.push(s.subscriptionId);
    next = body.nextLink;
  }
  return ids.sort();
}
