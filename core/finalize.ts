import { errorMessage } from './errors.ts';
import { type ReconcileResult, reconcile } from './lifecycle.ts';
import type { ScanReport } from './report.ts';
import {
  type FindingStateStore,
  type Notifier,
  type ReportArtifact,
  type ReportStore,
  reconcileWithStore,
  type StoredState,
} from './state.ts';
import type { Suppression } from './suppressions.ts';

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
