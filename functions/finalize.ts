import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { finalizeStream, type StreamedScan } from '../core/finalize.ts';
import type { DeltaCounts } from '../core/lifecycle.ts';
import type { ScanReport, ScanSummary } from '../core/report.ts';
import { failedTarget } from '../core/scan.ts';
import { retryOnConflict } from '../core/state.ts';
import type { Target, TargetError } from '../core/target.ts';
import { type ReportFiles, streamedReportWriter } from '../publish/artifacts.ts';
import { envObjects, envRuns } from './env.ts';
import { parseInput } from './input.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import type { StoredPlan } from './plan.ts';
import { logger, metrics, withMiddleware } from './powertools.ts';
import { envNotifiers, envReportStore, envStateStore, lifecyclePublisher } from './publisher.ts';
import { SCAN_ID } from './scan-request.ts';
import type { ScanRuns } from './scan-runs.ts';
import type { StoredTargetResult } from './scan-target.ts';
import { METRIC } from './stack-contract.ts';

/** The plan's output, as the state machine passes it on (the map's own output is not needed: results are in S3). */
export const FinalizeInputSchema = z.object({ scanId: SCAN_ID }).passthrough();

/**
 * The publishing stage, behind a port. Production uses `lifecyclePublisher` (functions/publisher.ts):
 * reconcile against the stored finding state, the report files to S3, then the notifiers.
 * `partial` is true for a filtered on-demand scan, which must not resolve what it did not look at.
 * The scan comes a target at a time: a publisher holds what reconcile needs, never every finding.
 */
export interface ScanPublisher {
  publish(
    scan: StreamedScan,
    options: { partial: boolean },
  ): Promise<{
    reportKey: string;
    /** The report as archived in `report.json`: full counts, bounded findings (`truncated` says how many are left out). */
    report: ScanReport;
    /** Against the stored state; absent when the scan was not reconciled (filtered scans, report-only). */
    delta?: DeltaCounts;
    /** Sinks that failed (the others ran). */
    failedSinks?: string[];
  }>;
}

/** Findings `report.json` holds at most, unless `KUBEPOSTURE_REPORT_MAX_FINDINGS` says otherwise. */
export const DEFAULT_REPORT_MAX_FINDINGS = 2000;

/** `KUBEPOSTURE_REPORT_MAX_FINDINGS`: a whole number from 0 to 100,000 (every finding is in report.findings.jsonl). */
export function reportMaxFindings(env: Record<string, string | undefined> = process.env): number {
  const raw = env.KUBEPOSTURE_REPORT_MAX_FINDINGS;
  if (raw === undefined || raw === '') return DEFAULT_REPORT_MAX_FINDINGS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 100_000) {
    throw new Error('KUBEPOSTURE_REPORT_MAX_FINDINGS must be a whole number from 0 to 100000');
  }
  return n;
}

/** A scan's files in the results bucket, beside its results (`scans/<scanId>/...`). */
export function objectReportFiles(objects: ObjectStore, scanId: string): ReportFiles {
  const key = (name: string) => `${scanKeys.prefix(scanId)}${name}`;
  return {
    open: async (name, contentType) => objects.upload(key(name), contentType),
    async put(artifacts, streamed) {
      for (const a of artifacts) await objects.put(key(a.name), a.body, a.contentType);
      return [...streamed, ...artifacts.map((a) => a.name)].map(key);
    },
    lines: (name) => objects.lines(key(name)),
  };
}

/**
 * Archives the report beside the scan's results (`report.json`, `report.findings.jsonl` and its index); no state, no
 * notifications (tests, and filtered scans). A report that could not be written fails finalize: it is the only output.
 */
export async function archiveReport(objects: ObjectStore, scan: StreamedScan, maxFindings: number) {
  const out = await finalizeStream(scan, {
    writer: (header) =>
      streamedReportWriter(objectReportFiles(objects, scan.scan.id), header, [], { html: false, ocsf: false }),
    now: new Date(),
    maxFindings,
  });
  const failed = out.failures.find((f) => f.sink === 'reports');
  if (failed) throw new Error(`The report of scan ${scan.scan.id} could not be written: ${failed.error}`);
  return { reportKey: scanKeys.report(scan.scan.id), report: out.report };
}

/** Report files only: see `archiveReport`. */
export function reportOnlyPublisher(objects: ObjectStore, maxFindings = DEFAULT_REPORT_MAX_FINDINGS): ScanPublisher {
  return { publish: (scan) => archiveReport(objects, scan, maxFindings) };
}

export interface FinalizeOutput {
  scanId: string;
  status: 'SUCCEEDED';
  summary: ScanSummary;
  errors: number;
  /** Targets planned whose scan-target produced no result (failed after its retries). */
  missingResults: number;
  reportKey: string;
}

export interface FinalizeDeps {
  objects: ObjectStore;
  runs: ScanRuns;
  publisher: ScanPublisher;
  clock: () => Date;
  /** Result documents read ahead of the one being processed (each is parsed, processed and dropped). */
  readConcurrency?: number;
}

export const defaultDeps: FinalizeDeps = {
  get objects() {
    return envObjects();
  },
  get runs() {
    return envRuns();
  },
  get publisher() {
    return lifecyclePublisher({
      state: envStateStore(),
      reports: envReportStore(),
      notifiers: envNotifiers(),
      objects: envObjects(),
      clock: () => new Date(),
    });
  },
  clock: () => new Date(),
};

type ResultPart = StreamedScan['parts'] extends AsyncIterable<infer P> ? P : never;

/**
 * The plan's errors, then each planned target's result in plan order, read a few ahead. A planned target with no
 * result is a failed target with an error: never silently missing, and never PASS.
 */
async function* resultParts(
  objects: ObjectStore,
  plan: StoredPlan,
  readAhead: number,
  onMissing: () => void,
): AsyncIterable<ResultPart> {
  yield { targets: plan.errors.map(failedTarget), errors: plan.errors, findings: [] };
  const read = async (target: Target): Promise<ResultPart> => {
    const text = await objects.get(scanKeys.result(plan.scanId, target));
    if (text === undefined) {
      onMissing();
      const error: TargetError = {
        ...target,
        stage: 'scan-target',
        code: 'Unknown',
        message: 'No result: the scan-target invocation failed after its retries (see the state machine)',
      };
      return { targets: [failedTarget(error)], errors: [error], findings: [] };
    }
    const result = JSON.parse(text) as StoredTargetResult;
    return { targets: [result.summary], errors: result.errors, findings: result.findings };
  };
  const pending: Promise<ResultPart>[] = [];
  let next = 0;
  while (next < plan.targets.length || pending.length > 0) {
    while (pending.length < Math.max(1, readAhead) && next < plan.targets.length) {
      const p = read(plan.targets[next++]!);
      p.catch(() => undefined); // awaited below, in order; this only keeps a read-ahead failure from going unhandled
      pending.push(p);
    }
    yield await pending.shift()!;
  }
}

/**
 * Reads every planned target's result from S3 a document at a time (a few read ahead), streams them through the
 * publisher (reconcile, report files, notifiers) and records the run. Memory holds the state and a bounded report,
 * never every finding (bench/finalize-memory.ts: 20,000 clusters in a 1,024 MB function).
 */
export function makeFinalizeHandler(deps: FinalizeDeps) {
  return async function finalizeHandler(event: unknown): Promise<FinalizeOutput> {
    const { scanId } = parseInput(FinalizeInputSchema, event, 'finalize input');
    logger.appendKeys({ scanId });
    const planText = await deps.objects.get(scanKeys.plan(scanId));
    if (planText === undefined) throw new Error(`No plan for scan ${scanId}`);
    const plan = JSON.parse(planText) as StoredPlan;

    let missingResults = 0;
    const finishedAt = deps.clock().toISOString();
    // A cluster scan is reconciled, scoped to its clusters; any other filtered scan is archived as it is.
    const partial = plan.filter !== undefined && !plan.clusters;
    // A commit refused because another scan (a rescan racing this one) changed a finding since it was read is run again
    // on fresh state, from the results in S3: the report files of the refused attempt were dropped, nothing was sent.
    const { reportKey, report, delta, failedSinks } = await retryOnConflict(() => {
      missingResults = 0;
      return deps.publisher.publish(
        {
          scan: {
            id: scanId,
            startedAt: plan.startedAt,
            finishedAt,
            trigger: plan.trigger,
            ...(plan.clusters ? { clusters: plan.clusters } : {}),
          },
          ...(plan.notes?.length ? { notes: plan.notes } : {}),
          parts: resultParts(deps.objects, plan, deps.readConcurrency ?? 4, () => missingResults++),
        },
        { partial },
      );
    });
    await deps.runs.update(scanId, {
      status: 'SUCCEEDED',
      finishedAt,
      summary: { ...report.summary, errors: report.errors.length },
      reportKey,
    });

    logger.info('Scan finalized', {
      targets: report.summary.targets,
      clusters: report.summary.clusters,
      byStatus: report.summary.byStatus,
      errors: report.errors.length,
      missingResults,
      findingsOmittedFromReport: report.truncated?.findingsOmitted ?? 0,
    });
    // One data point per scan: the alarms and the dashboard (stacks/scanner-stack.ts) read these names.
    metrics.addMetric(METRIC.scanCollectionErrors, MetricUnit.Count, report.errors.length);
    metrics.addMetric(METRIC.failedFindings, MetricUnit.Count, report.summary.byStatus.FAIL);
    metrics.addMetric(METRIC.targetsFailed, MetricUnit.Count, report.summary.targets.failed);
    const duration = (Date.parse(finishedAt) - Date.parse(plan.startedAt)) / 1000;
    if (Number.isFinite(duration)) metrics.addMetric(METRIC.scanDuration, MetricUnit.Seconds, Math.max(0, duration));
    if (delta) {
      metrics.addMetric(METRIC.findingsNew, MetricUnit.Count, delta.new);
      metrics.addMetric(METRIC.findingsRegressed, MetricUnit.Count, delta.regressed);
      metrics.addMetric(METRIC.findingsResolved, MetricUnit.Count, delta.resolved);
    }
    metrics.addMetric(METRIC.publishFailures, MetricUnit.Count, failedSinks?.length ?? 0);
    return {
      scanId,
      status: 'SUCCEEDED',
      summary: report.summary,
      errors: report.errors.length,
      missingResults,
      reportKey,
    };
  };
}

export const handler = withMiddleware(makeFinalizeHandler(defaultDeps));
