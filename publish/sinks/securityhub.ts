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
 * re-sent every scan, but in a full import at least once per this many days, so a long-standing problem
 * never silently disappears from Security Hub.
 */
export const FULL_IMPORT_DAYS = 30;

/** When the last complete import (every open finding) succeeded; finalize keeps it in the results bucket. */
export interface FullImportRecord {
  last(): Promise<string | undefined>;
  done(at: string): Promise<void>;
}

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
   * With a record: new, regressed and resolved findings only, and everything (a full import) when none succeeded
   * yet or the last is `FULL_IMPORT_DAYS` old. Without one: every finding with a lifecycle, every scan.
   */
  fullImports?: FullImportRecord;
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

/** Whether this scan imports every open finding: the first import, a failed or old last one, or no record kept. */
export async function fullImportDue(report: ScanReport, record: FullImportRecord | undefined): Promise<boolean> {
  if (!record) return true;
  const last = Date.parse((await record.last()) ?? '');
  const now = Date.parse(report.scan.startedAt);
  if (Number.isNaN(last) || Number.isNaN(now)) return true;
  return now - last >= FULL_IMPORT_DAYS * 86_400_000;
}

const CHANGES = new Set(['new', 'regressed', 'resolved']);

/** The report narrowed to what changed (the resolved references in `delta` always go), or all of it. */
export function selectForSecurityHub(report: ScanReport, full: boolean): ScanReport {
  if (full) return report;
  const changed = (f: Finding) => f.lifecycle !== undefined && CHANGES.has(f.lifecycle.state);
  return { ...report, findings: report.findings.filter(changed) };
}

/**
 * Imports the scan's findings into Security Hub CSPM as ASFF: open ones ACTIVE, resolved ones ARCHIVED
 * (Compliance PASSED), each under its stable id. With a full-import record, only what changed (new, regressed,
 * resolved), and every open finding on the first import and every `FULL_IMPORT_DAYS`. Calls are spaced to stay under 10 per second;
 * throttling is retried by the client's retry strategy (`securityHubClient`); findings Security Hub
 * rejects are collected and reported together after every batch was tried.
 */
export function createSecurityHubSink(deps: SecurityHubSinkDeps): Notifier {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  const gap = 1000 / SECURITY_HUB_LIMITS.ratePerSecond;
  return {
    name: 'securityhub',
    async notify(report, context = {}) {
      const options: AsffOptions = {
        ...(deps.accountId ? { accountId: deps.accountId } : {}),
        ...(deps.region ? { region: deps.region } : {}),
      };
      const failed: { id: string; code: string; message: string }[] = [];
      let last = -Infinity;
      const send = async (findings: AwsSecurityFinding[]) => {
        for (const batch of batches(findings)) {
          const wait = last + gap - now();
          if (wait > 0) await sleep(wait);
          last = now();
          const out = await deps.client.send(new BatchImportFindingsCommand({ Findings: batch }));
          for (const f of out.FailedFindings ?? []) {
            failed.push({ id: f.Id ?? '?', code: f.ErrorCode ?? '?', message: f.ErrorMessage ?? '' });
          }
        }
      };
      const full = await fullImportDue(report, deps.fullImports);
      if (report.truncated && context.findings) {
        // The report holds a selection: every finding is read back from the archive, a batch at a time, and the
        // findings resolved because they are gone (in `delta`) follow, as toAsff orders them.
        const resolvedHere = new Set<string>();
        let chunk: Finding[] = [];
        const flush = async () => {
          const selected = selectForSecurityHub({ ...report, findings: chunk, delta: undefined }, full);
          chunk = [];
          await send(toAsff(selected, deps.catalogue, options));
        };
        for await (const f of context.findings()) {
          if (!f.lifecycle) continue;
          if (f.lifecycle.state === 'resolved') resolvedHere.add(f.id);
          chunk.push(f);
          if (chunk.length === SECURITY_HUB_LIMITS.batch) await flush();
        }
        await flush();
        const gone = {
          ...report,
          findings: [],
          delta: report.delta && {
            ...report.delta,
            resolved: report.delta.resolved.filter((r) => !resolvedHere.has(r.id)),
          },
        };
        await send(toAsff(gone, deps.catalogue, options));
      } else {
        await send(toAsff(selectForSecurityHub(report, full), deps.catalogue, options));
      }
      if (failed.length) {
        const sample = failed
          .slice(0, 3)
          .map((f) => `${f.id}: ${f.code} ${f.message}`)
          .join('; ');
        throw new SecurityHubImportError(`Security Hub rejected ${failed.length} findings (${sample})`, failed);
      }
      // Only a complete, accepted import counts: after a failure the next scan imports everything again.
      if (full) await deps.fullImports?.done(report.scan.startedAt);
    },
  };
}
