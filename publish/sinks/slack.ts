import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubepostureError } from '../../core/errors.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Severity } from '../../core/severity.ts';
import type { Notifier } from '../../core/state.ts';
import { toSlackDigest } from '../formats/digest.ts';

/** A Slack delivery failed. Its message never contains the webhook URL (the URL is the credential). */
export class SlackError extends KubepostureError {
  override name = 'SlackError';
}

/** Where the webhook URL comes from: Secrets Manager in AWS, an environment variable locally. */
export type WebhookSource =
  | { secretId: string; client: Pick<SecretsManagerClient, 'send'>; maxAgeMs?: number }
  | { env: string; vars?: Record<string, string | undefined> };

const cache = new Map<string, { value: string; at: number }>();

/** Reads the webhook URL, caching a secret for a few minutes so a scan costs about one read. */
export async function webhookUrl(source: WebhookSource, now = Date.now()): Promise<string> {
  if ('env' in source) {
    const value = (source.vars ?? process.env)[source.env];
    if (!value) throw new SlackError(`The Slack webhook URL is not set: environment variable ${source.env} is empty`);
    return value;
  }
  const hit = cache.get(source.secretId);
  if (hit && now - hit.at < (source.maxAgeMs ?? 300_000)) return hit.value;
  const out = await source.client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
  const value = out.SecretString?.trim();
  if (!value) throw new SlackError(`Secret ${source.secretId} has no string value for the Slack webhook URL`);
  cache.set(source.secretId, { value, at: now });
  return value;
}

export interface SlackNotifierDeps {
  webhook: WebhookSource;
  minSeverity: Severity;
  maxFindings?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Longest Retry-After honoured on a 429 before giving up. */
  maxRetryAfterMs?: number;
}

/** Posts one Block Kit digest per scan to an incoming webhook; retries once on 429 after Retry-After. */
export function createSlackNotifier(deps: SlackNotifierDeps): Notifier {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    name: 'slack',
    async notify(report: ScanReport, context: { reportUrl?: string }) {
      const url = await webhookUrl(deps.webhook);
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
          res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        } catch (e) {
          // fetch's own errors can carry the URL in their cause: keep only the code.
          const code = (e as { cause?: { code?: string } })?.cause?.code ?? (e as Error)?.name ?? 'error';
          throw new SlackError(`Slack webhook request failed (${code})`);
        }
        if (res.ok) return;
        const detail = (await res.text().catch(() => '')).slice(0, 200);
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
