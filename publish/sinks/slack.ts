import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubepostureError } from '../../core/errors.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Severity } from '../../core/severity.ts';
import type { Notifier } from '../../core/state.ts';
import { escapeControl } from '../../core/text.ts';
import { toSlackDigest } from '../formats/digest.ts';

/** A Slack delivery failed. Its message never contains the webhook URL (the URL is the credential). */
export class SlackError extends KubepostureError {
  override name = 'SlackError';
}

/** Where Slack serves incoming webhooks. Other hosts only when the configuration names them (`slack.webhookHosts`). */
export const SLACK_WEBHOOK_HOST = 'hooks.slack.com';

/** Where the webhook URL comes from: Secrets Manager in AWS, an environment variable locally. */
export type WebhookSource =
  | { secretId: string; client: Pick<SecretsManagerClient, 'send'>; maxAgeMs?: number }
  | { env: string; vars?: Record<string, string | undefined> };

function describeSource(source: WebhookSource): string {
  return 'env' in source ? `environment variable ${source.env}` : `secret ${source.secretId}`;
}

/**
 * Checks a webhook URL before anything is sent to it: https only (the path is a bearer credential and the body is
 * the scan's findings), and on Slack's webhook host or one the configuration names. Errors name the scheme and the
 * host, never the path.
 */
export function checkWebhookUrl(value: string, where: string, extraHosts: readonly string[] = []): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SlackError(`The Slack webhook URL in ${where} is not a URL (its value is a secret and is not shown)`);
  }
  const hosts = [SLACK_WEBHOOK_HOST, ...extraHosts.map((h) => h.toLowerCase())];
  if (url.protocol !== 'https:') {
    throw new SlackError(
      `The Slack webhook URL in ${where} must use https, not ${escapeControl(url.protocol.replace(/:$/, ''))} (host ${escapeControl(url.host)}; the path is a secret and is not shown)`,
    );
  }
  if (!hosts.includes(url.hostname)) {
    throw new SlackError(
      `The Slack webhook URL in ${where} must point to ${hosts.join(' or ')}, not ${escapeControl(url.hostname)} (name other hosts in the configuration's slack.webhookHosts; the path is a secret and is not shown)`,
    );
  }
  if (url.username || url.password) {
    throw new SlackError(`The Slack webhook URL in ${where} must not carry a user name or password`);
  }
  return url;
}

const cache = new Map<string, { value: URL; at: number }>();

/**
 * Reads and checks the webhook URL, caching a secret for a few minutes so a scan costs about one read.
 * `extraHosts`: hosts allowed besides hooks.slack.com (from the configuration, never from the URL's own source).
 */
export async function webhookUrl(
  source: WebhookSource,
  now = Date.now(),
  extraHosts: readonly string[] = [],
): Promise<URL> {
  const where = describeSource(source);
  if ('env' in source) {
    const value = (source.vars ?? process.env)[source.env]?.trim();
    if (!value) throw new SlackError(`The Slack webhook URL is not set: environment variable ${source.env} is empty`);
    return checkWebhookUrl(value, where, extraHosts);
  }
  const key = `${source.secretId}\n${extraHosts.join(',')}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < (source.maxAgeMs ?? 300_000)) return hit.value;
  const out = await source.client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  const value = out.SecretString?.trim();
  if (!value) throw new SlackError(`Secret ${source.secretId} has no string value for the Slack webhook URL`);
  const url = checkWebhookUrl(value, where, extraHosts);
  cache.set(key, { value: url, at: now });
  return url;
}

const REDACTED = '[redacted]';

/**
 * Removes the webhook's secret parts from text that came back from the endpoint (an error body may echo the request
 * path): the URL, its path (plain and percent-encoded), each long path segment, anything that looks like a Slack
 * webhook path or token, and control characters (the body is shown on a terminal).
 */
export function redactWebhook(text: string, url: URL): string {
  const path = `${url.pathname}${url.search}`;
  const secrets = new Set([url.href, path, url.pathname, encodeURIComponent(path), encodeURIComponent(url.pathname)]);
  for (const segment of url.pathname.split('/')) if (segment.length >= 8) secrets.add(segment);
  let out = text;
  for (const s of [...secrets].filter((x) => x.length > 1).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(REDACTED);
  }
  out = out
    .replace(/\/(services|triggers|workflows)\/[^\s"'<>]+/g, `/$1/${REDACTED}`)
    .replace(/xox[a-z]-[\w-]+/gi, REDACTED)
    // Token-like: long runs mixing letters and digits (Slack's error codes are words and survive).
    .replace(/(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}/g, REDACTED);
  return escapeControl(out);
}

/** What a transport error code means for someone fixing it, by code or by pattern. */
const TRANSPORT_HINTS: [RegExp, string][] = [
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME)$/, 'the host name does not resolve (DNS, or no network without a proxy)'],
  [/^ECONNREFUSED$/, 'the connection was refused'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/, 'the connection was closed (a proxy or firewall?)'],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|TimeoutError|AbortError)$/, 'no answer in time'],
  [/^(ENETUNREACH|EHOSTUNREACH)$/, 'the network or host is unreachable'],
  [/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/, 'its TLS certificate was not accepted'],
];

/**
 * A failed POST, said so someone can fix it: the host (not secret), the error code and what it means. fetch's own
 * errors carry the URL in their message or cause: only a code-shaped value is kept, a cause message only redacted,
 * and the SlackError gets no cause.
 */
function transportFailure(e: unknown, url: URL): string {
  const safe = (v: unknown) => (typeof v === 'string' && /^[A-Za-z_]{1,40}$/.test(v) ? v : undefined);
  const cause = (e as { cause?: { code?: unknown; message?: unknown; name?: unknown } } | undefined)?.cause;
  const code = safe(cause?.code) ?? safe((e as Error)?.name) ?? 'error';
  const causeMessage = typeof cause?.message === 'string' ? cause.message : '';
  const hint =
    causeMessage === 'unexpected redirect'
      ? 'the endpoint answered with a redirect, which is never followed (the findings would go wherever it points)'
      : (TRANSPORT_HINTS.find(([pattern]) => pattern.test(code))?.[1] ??
        (causeMessage ? redactWebhook(causeMessage, url).slice(0, 200) : undefined));
  return `Slack webhook request to ${escapeControl(url.host)} failed (${code})${hint ? `: ${hint}` : ''}`;
}

export interface SlackNotifierDeps {
  webhook: WebhookSource;
  minSeverity: Severity;
  maxFindings?: number;
  /** Hosts allowed besides hooks.slack.com, from the configuration (`slack.webhookHosts`); https still required. */
  webhookHosts?: readonly string[];
  /** The transport (tests inject one that answers on loopback; the URL is still checked first). */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Longest Retry-After honoured on a 429 before giving up. */
  maxRetryAfterMs?: number;
  /** One POST with no answer within this is abandoned (default 10 s). */
  timeoutMs?: number;
}

/** Posts one Block Kit digest per scan to an incoming webhook; retries once on 429 after Retry-After. */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    name: 'slack',
    async notify(report: ScanReport, context: { reportUrl?: string }) {
      const url = await webhookUrl(deps.webhook, Date.now(), deps.webhookHosts);
      const body = JSON.stringify(
        toSlackDigest(report, {
          minSeverity: deps.minSeverity,
          ...(deps.maxFindings !== undefined ? { maxFindings: deps.maxFindings } : {}),
          ...(context.reportUrl ? { reportUrl: context.reportUrl } : {}),
        }),
      );
      for (let attempt = 1; ; attempt++) {
        let res: Response;
        try {
          res = await doFetch(url.href, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            // A webhook never redirects; following one would send the findings wherever it points.
            redirect: 'error',
            signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
          });
        } catch (e) {
          throw new SlackError(transportFailure(e, url));
        }
        if (res.ok) {
          await res.body?.cancel().catch(() => undefined);
          return;
        }
        // Redacted before it is cut, so a cut cannot leave half a token unrecognised.
        const detail = redactWebhook((await res.text().catch(() => '')).slice(0, 65_536), url).slice(0, 200);
        if (res.status === 429 && attempt === 1) {
          const wait = Number(res.headers.get('retry-after') ?? '1') * 1000;
          if (wait <= (deps.maxRetryAfterMs ?? 30_000)) {
            await sleep(wait);
            continue;
          }
        }
        throw new SlackError(`Slack webhook answered ${res.status}${detail ? `: ${detail}` : ''}`);
      }
    },
  };
}
