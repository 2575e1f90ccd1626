import { errorMessage } from './errors.ts';
import type { Finding } from './finding.ts';
import { insightSummaryBuilder } from './insights-summary.ts';
import { coverageBuilder, createReconciler, type Delta, type ReconcileResult, reconcile } from './lifecycle.ts';
import {
  FINDINGS_FILE,
  findingCounts,
  findingSelection,
  REPORT_SCHEMA_VERSION,
  type ScanInfo,
  type ScanNote,
  type ScanReport,
  summarize,
  type TargetSummary,
} from './report.ts';
import {
  type FindingStateStore,
  type Notifier,
  type NotifyContext,
  type ReportArtifact,
  type ReportStore,
  reconcileWithStore,
  type StoredState,
  scanRecordOf,
} from './state.ts';
import type { Suppression } from './suppressions.ts';
import { type TargetError, targetKey } from './target.ts';
import { VERSION } from './version.ts';

export interface FinalizeDeps {
  /** No store: reconcile against nothing (every failing finding is new) and keep nothing. */
  state?: FindingStateStore;
  /** State already loaded by the caller, to fail fast on a bad store before scanning. */
  stored?: StoredState;
  reports?: ReportStore;
  /** Builds the files a ReportStore keeps (publish/artifacts.ts): core does not render. */
  artifacts?: (report: ScanReport) => ReportArtifact[];
  /** A link for people to the stored report (e.g. a presigned URL to the HTML). */
  reportUrl?: (keys: string[]) => Promise<string | undefined>;
  notifiers?: readonly Notifier[];
  suppressions?: readonly Suppression[];
  now: Date;
}

export interface FinalizeResult extends ReconcileResult {
  /** Sinks that failed; the others still ran, and the state was already committed. */
  failures: { sink: string; error: string }[];
}

/**
 * The reconcile and publish stages: state first (so the delta is recorded even if a sink fails),
 * then the report archive, then every notifier. One failing sink never stops the others.
 */
export async function finalizeScan(report: ScanReport, deps: FinalizeDeps): Promise<FinalizeResult> {
  const options = { now: deps.now, suppressions: deps.suppressions ?? [] };
  const result = deps.state
    ? await reconcileWithStore(deps.state, report, { ...options, ...(deps.stored ? { stored: deps.stored } : {}) })
    : reconcile([], report, options);
  const failures: FinalizeResult['failures'] = [];
  let reportUrl: string | undefined;
  if (deps.reports && deps.artifacts) {
    try {
      const { keys } = await deps.reports.put(report.scan.id, deps.artifacts(result.report));
      reportUrl = await deps.reportUrl?.(keys);
    } catch (e) {
      failures.push({ sink: 'reports', error: errorMessage(e) });
    }
  }
  for (const n of deps.notifiers ?? []) {
    try {
      await n.notify(result.report, reportUrl ? { reportUrl } : {});
    } catch (e) {
      failures.push({ sink: n.name, error: errorMessage(e) });
    }
  }
  return { ...result, failures };
}

/** Where a streamed report goes, a finding at a time (publish/artifacts.ts renders: core does not). */
export interface ReportWriter {
  /** Each finding, reconciled, in the order read. */
  finding(f: Finding): Promise<void>;
  /** After the state commit: completes the streamed files and writes the rest (the bounded report); returns the keys. */
  finish(report: ScanReport): Promise<string[]>;
  /** Drops what was written (the state commit failed, or a write did). */
  abort(): Promise<void>;
  /** Every finding read back from the archive, when its store can. */
  findings?: () => AsyncIterable<Finding>;
}

/** A scan too large to hold: its targets' results, one part at a time. */
export interface StreamedScan {
  scan: ScanInfo;
  notes?: ScanNote[];
  parts: AsyncIterable<{
    targets: readonly TargetSummary[];
    errors: readonly TargetError[];
    findings: readonly Finding[];
  }>;
}

export interface StreamFinalizeDeps {
  /** No store: no reconcile and no state change (a filtered scan's report is archived as it is). */
  state?: FindingStateStore;
  /** Opens the report's files, given the report's header (scan, tool); none: nothing archived. */
  writer?: (header: ScanReport) => Promise<ReportWriter>;
  reportUrl?: (keys: string[]) => Promise<string | undefined>;
  notifiers?: readonly Notifier[];
  suppressions?: readonly Suppression[];
  now: Date;
  /** Findings the report itself holds at most; every finding is in the streamed findings file. */
  maxFindings: number;
}

export interface StreamFinalizeResult {
  /** The bounded report: summary, targets, errors, delta, and at most `maxFindings` findings. */
  report: ScanReport;
  delta?: Delta;
  /** State records written. */
  changed: number;
  failures: FinalizeResult['failures'];
}

/**
 * `finalizeScan` for a scan read a target at a time: each finding is reconciled, counted and written as it is read,
 * and only the state (open and formerly open findings), coverage (a set of check ids per cluster) and a bounded
 * selection stay in memory. Same order of effects: state first (a failed commit drops the report files), then the
 * archive, then every notifier; one failing sink never stops the others.
 */
export async function finalizeStream(input: StreamedScan, deps: StreamFinalizeDeps): Promise<StreamFinalizeResult> {
  const stored = deps.state ? await deps.state.load() : undefined;
  const reconciler = stored
    ? createReconciler(stored.findings, {
        scanId: input.scan.id,
        at: input.scan.startedAt,
        now: deps.now,
        suppressions: deps.suppressions ?? [],
        previousScanId: stored.lastScan?.id ?? null,
        ...(input.scan.clusters ? { scope: input.scan.clusters } : {}),
      })
    : undefined;
  const header: ScanReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'kubeposture', version: VERSION },
    scan: input.scan,
    summary: summarize([], []),
    targets: [],
    errors: [],
    findings: [],
    ...(input.notes?.length ? { notes: input.notes } : {}),
  };
  const failures: FinalizeResult['failures'] = [];
  let writer: ReportWriter | undefined;
  const dropWriter = async (e: unknown) => {
    failures.push({ sink: 'reports', error: errorMessage(e) });
    const w = writer;
    writer = undefined;
    await w?.abort().catch(() => undefined);
  };
  if (deps.writer) {
    try {
      writer = await deps.writer(header);
    } catch (e) {
      await dropWriter(e);
    }
  }
  const coverage = coverageBuilder();
  const counts = findingCounts();
  const insights = insightSummaryBuilder();
  const selection = findingSelection(deps.maxFindings);
  const targets: TargetSummary[] = [];
  const errors: TargetError[] = [];
  try {
    for await (const part of input.parts) {
      targets.push(...part.targets);
      errors.push(...part.errors);
      coverage.addTargets(part.targets, part.errors);
      for (const raw of part.findings) {
        coverage.addFinding(raw);
        counts.add(raw);
        insights.add(raw);
        const f = reconciler ? reconciler.add(raw) : raw;
        selection.add(f);
        if (writer) {
          try {
            await writer.finding(f);
          } catch (e) {
            await dropWriter(e);
          }
        }
      }
    }
  } catch (e) {
    await writer?.abort().catch(() => undefined);
    throw e;
  }
  const reconciled = reconciler?.finish(coverage.build());
  targets.sort((a, b) => targetKey(a).localeCompare(targetKey(b)));
  errors.sort((a, b) => `${targetKey(a)}/${a.stage}`.localeCompare(`${targetKey(b)}/${b.stage}`));
  const selected = selection.result();
  const insightRows = insights.result();
  const report: ScanReport = {
    ...header,
    summary: counts.summary(targets),
    targets,
    errors,
    findings: selected.findings,
    ...(reconciled ? { delta: reconciled.delta } : {}),
    ...(insightRows ? { insights: insightRows } : {}),
    ...(selected.omitted > 0 ? { truncated: { findingsOmitted: selected.omitted, fullDataKey: FINDINGS_FILE } } : {}),
  };
  if (deps.state && reconciled) {
    try {
      await deps.state.commit(reconciled.changed, scanRecordOf(report));
    } catch (e) {
      await writer?.abort().catch(() => undefined);
      throw e;
    }
  }
  let reportUrl: string | undefined;
  if (writer) {
    try {
      const keys = await writer.finish(report);
      reportUrl = await deps.reportUrl?.(keys);
    } catch (e) {
      await dropWriter(e);
    }
  }
  const context: NotifyContext = {
    ...(reportUrl ? { reportUrl } : {}),
    ...(report.truncated && writer?.findings ? { findings: writer.findings } : {}),
  };
  for (const n of deps.notifiers ?? []) {
    try {
      await n.notify(report, context);
    } catch (e) {
      failures.push({ sink: n.name, error: errorMessage(e) });
    }
  }
  return {
    report,
    ...(reconciled ? { delta: reconciled.delta } : {}),
    changed: reconciled?.changed.length ?? 0,
    failures,
  };
}
