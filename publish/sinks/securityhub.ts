import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { CheckMeta } from '../../core/check.ts';
import { KubepostureError } from '../../core/errors.ts';
import type { Notifier } from '../../core/state.ts';
import { type AsffOptions, toAsff } from '../formats/asff.ts';

/** BatchImportFindings limits: 100 findings and 6 MB per call, 10 calls per second (burst 30). */
export const SECURITY_HUB_LIMITS = { batch: 100, batchBytes: 6 * 1024 * 1024, ratePerSecond: 10 } as const;

export class SecurityHubImportError extends KubepostureError {
  override name = 'SecurityHubImportError';
  constructor(
    message: string,
    readonly failed: { id: string; code: string; message: string }[],
  ) {
    super(message);
  }
}

export interface SecurityHubSinkDeps extends AsffOptions {
  client: Pick<SecurityHubClient, 'send'>;
  catalogue: readonly CheckMeta[];
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Splits into batches of at most 100 findings and (with margin) 6 MB. */
export function batches(findings: readonly AwsSecurityFinding[]): AwsSecurityFinding[][] {
  const out: AwsSecurityFinding[][] = [];
  let current: AwsSecurityFinding[] = [];
  let bytes = 0;
  for (const f of findings) {
    const size = Buffer.byteLength(JSON.stringify(f));
    if (current.length === SECURITY_HUB_LIMITS.batch || bytes + size > SECURITY_HUB_LIMITS.batchBytes * 0.9) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * Imports the scan's findings into Security Hub CSPM as ASFF: open ones ACTIVE, resolved ones
 * ARCHIVED, each under its stable id. Calls are spaced to stay under 10 per second; findings
 * Security Hub rejects are collected and reported together after every batch was tried.
 */
export function createSecurityHubSink(deps: SecurityHubSinkDeps): Notifier {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const gap = 1000 / SECURITY_HUB_LIMITS.ratePerSecond;
  return {
    name: 'securityhub',
    async notify(report) {
      const options: AsffOptions = {
        ...(deps.accountId ? { accountId: deps.accountId } : {}),
        ...(deps.region ? { region: deps.region } : {}),
      };
      const failed: { id: string; code: string; message: string }[] = [];
      let last = -Infinity;
      for (const batch of batches(toAsff(report, deps.catalogue, options))) {
        const wait = last + gap - now();
        if (wait > 0) await sleep(wait);
        last = now();
        const out = await deps.client.send(new BatchImportFindingsCommand({ Findings: batch }));
        for (const f of out.FailedFindings ?? []) {
          failed.push({ id: f.Id ?? '?', code: f.ErrorCode ?? '?', message: f.ErrorMessage ?? '' });
        }
      }
      if (failed.length) {
        const sample = failed
          .slice(0, 3)
          .map((f) => `${f.id}: ${f.code} ${f.message}`)
          .join('; ');
        throw new SecurityHubImportError(`Security Hub rejected ${failed.length} findings (${sample})`, failed);
      }
    },
  };
}
