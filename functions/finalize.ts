import { MetricUnit } from '@aws-lambda-powertools/metrics';
import pLimit from 'p-limit';
import * as z from 'zod';
import type { Finding } from '../core/finding.ts';
import type { DeltaCounts } from '../core/lifecycle.ts';
import type { ScanReport, ScanSummary, TargetSummary } from '../core/report.ts';
import { assembleReport, failedTarget } from '../core/scan.ts';
import type { TargetError } from '../core/target.ts';
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
 * reconcile against the stored finding state, the reconciled report to S3, then the notifiers.
 * `partial` is true for a filtered on-demand scan, which must not resolve what it did not look at.
 */
export interface ScanPublisher {
  publish(
    report: ScanReport,
    options: { partial: boolean },
  ): Promise<{
    reportKey: string;
    /** Against the stored state; absent when the scan was not reconciled (filtered scans, report-only). */
    delta?: DeltaCounts;
    /** Sinks that failed (the others ran). */
    failedSinks?: string[];
  }>;
}

/** Archives `report.json` beside the scan's results; no state, no notifications (tests, and filtered scans). */
export function reportOnlyPublisher(objects: ObjectStore): ScanPublisher {
  return {
    async publish(report) {
      const reportKey = scanKeys.report(report.scan.id);
      await objects.put(reportKey, JSON.stringify(report));
      return { reportKey };
    },
  };
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
  /** Result documents read at once; each is parsed and dropped, so memory holds findings, not bodies. */
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

/**
 * Reads every planned target's result from S3 (one document at a time per reader), builds the scan
 * report with the CLI's own `assembleReport`, publishes it and records the run. A planned target
 * with no result is a failed target with an error: it is never silently missing, and never PASS.
 */
export function makeFinalizeHandler(deps: FinalizeDeps) {
  return async function finalizeHandler(event: unknown): Promise<FinalizeOutput> {
    const { scanId } = parseInput(FinalizeInputSchema, event, 'finalize input');
    logger.appendKeys({ scanId });
    const planText = await deps.objects.get(scanKeys.plan(scanId));
    if (planText === undefined) throw new Error(`No plan for scan ${scanId}`);
    const plan = JSON.parse(planText) as StoredPlan;

    const targets: TargetSummary[] = plan.errors.map(failedTarget);
    const errors: TargetError[] = [...plan.errors];
    const findings: Finding[] = [];
    let missingResults = 0;
    const limit = pLimit(deps.readConcurrency ?? 8);
    await Promise.all(
      plan.targets.map((target) =>
        limit(async () => {
          const text = await deps.objects.get(scanKeys.result(scanId, target));
          if (text === undefined) {
            missingResults++;
            const error: TargetError = {
              ...target,
              stage: 'scan-target',
              code: 'Unknown',
              message: 'No result: the scan-target invocation failed after its retries (see the state machine)',
            };
            errors.push(error);
            targets.push(failedTarget(error));
            return;
          }
          const result = JSON.parse(text) as StoredTargetResult;
          targets.push(result.summary);
          errors.push(...result.errors);
          for (const f of result.findings) findings.push(f);
        }),
      ),
    );

    const finishedAt = deps.clock().toISOString();
    const report = assembleReport({
      scan: { id: scanId, startedAt: plan.startedAt, finishedAt, trigger: plan.trigger },
      targets,
      errors,
      findings,
      ...(plan.notes ? { notes: plan.notes } : {}),
    });
    const { reportKey, delta, failedSinks } = await deps.publisher.publish(report, {
      partial: plan.filter !== undefined,
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
