import {
  type AwsSecurityFinding,
  BatchImportFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { CheckMeta } from '../../core/check.ts';
import { KubepostureError } from '../../core/errors.ts';
import type { Finding } from '../../core/finding.ts';
import type { ScanReport } from '../../core/report.ts';
import type { Notifier } from '../../core/state.ts';
import { type AsffOptions, toAsff } from '../formats/asff.ts';

/** BatchImportFindings limits: 100 findings and 6 MB per call, 10 calls per second (burst 30). */
export const SECURITY_HUB_LIMITS = { batch: 100, batchBytes: 6 * 1024 * 1024, ratePerSecond: 10 } as const;

/**
 * Security Hub CSPM deletes a finding 90 days after its last update. A finding that only persists is not
 * re-sent every scan, but at least once per this many days, so a long-standing problem never silently
 * disappears from Security Hub.
 */
export const PERSISTING_REFRESH_DAYS = 30;

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
  /**
   * `changes` (default): new, regressed and resolved findings, plus persisting ones when their refresh is due
   * (`PERSISTING_REFRESH_DAYS`). `all`: every finding with a lifecycle, every scan.
   */
  select?: 'changes' | 'all';
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

/** The time a scan id (`20260601T060000Z-3f9a1c`, core/scan.ts `newScanId`) was made at, when it has that form. */
function scanIdTime(id: string | null | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * Whether this scan re-sends persisting findings: when it is the first scan of a new refresh window
 * (fixed windows of `PERSISTING_REFRESH_DAYS` days), or when the previous scan's time is unknown.
 * With any schedule shorter than the window, every open finding is updated at least once per window.
 */
export function persistingRefreshDue(report: ScanReport): boolean {
  const window = PERSISTING_REFRESH_DAYS * 86_400_000;
  const previous = scanIdTime(report.delta?.previousScanId);
  const current = Date.parse(report.scan.startedAt);
  if (previous === undefined || Number.isNaN(current)) return true;
  return Math.floor(previous / window) !== Math.floor(current / window);
}

const CHANGES = new Set(['new', 'regressed', 'resolved']);

/** The report narrowed to what this scan sends (the resolved references in `delta` always go). */
export function selectForSecurityHub(report: ScanReport, select: 'changes' | 'all' = 'changes'): ScanReport {
  if (select === 'all' || persistingRefreshDue(report)) return report;
  const changed = (f: Finding) => f.lifecycle !== undefined && CHANGES.has(f.lifecycle.state);
  return { ...report, findings: report.findings.filter(changed) };
}

/**
 * Imports the scan's findings into Security Hub CSPM as ASFF: open ones ACTIVE, resolved ones ARCHIVED
 * (Compliance PASSED), each under its stable id. By default only what changed (new, regressed,
 * resolved) plus a periodic refresh of persisting ones. Calls are spaced to stay under 10 per second;
 * throttling is retried by the client's retry strategy (`securityHubClient`); findings Security Hub
 * rejects are collected and reported together after every batch was tried.
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
      const selected = selectForSecurityHub(report, deps.select);
      for (const batch of batches(toAsff(selected, deps.catalogue, options))) {
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
