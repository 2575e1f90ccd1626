import * as z from 'zod';
import { CATEGORIES, RESULT_STATUSES } from './check.ts';
import { formatIssuePath } from './config.ts';
import { StateConflictError, StateError } from './errors.ts';
import type { Finding } from './finding.ts';
import { type DeltaCounts, type FindingState, type ReconcileResult, reconcile } from './lifecycle.ts';
import type { ScanReport } from './report.ts';
import { SEVERITIES } from './severity.ts';
import type { Suppression } from './suppressions.ts';

/** One line per scan, kept beside the finding state: what ran, when, what it read, what changed. */
export interface ScanRecord {
  id: string;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  targets: { total: number; scanned: number; partial: number; failed: number };
  clusters: number;
  byStatus: Record<(typeof RESULT_STATUSES)[number], number>;
  failBySeverity: Record<(typeof SEVERITIES)[number], number>;
  delta: DeltaCounts | null;
}

export function scanRecordOf(report: ScanReport): ScanRecord {
  const t = report.summary.targets;
  return {
    id: report.scan.id,
    trigger: report.scan.trigger,
    startedAt: report.scan.startedAt,
    finishedAt: report.scan.finishedAt,
    targets: { total: t.total, scanned: t.total - t.failed - t.partial, partial: t.partial, failed: t.failed },
    clusters: report.summary.clusters,
    byStatus: report.summary.byStatus,
    failBySeverity: report.summary.failBySeverity,
    delta: report.delta?.counts ?? null,
  };
}

export interface StoredState {
  findings: FindingState[];
  /** The newest scan record, if any: the scan the delta is against. */
  lastScan: ScanRecord | undefined;
}

/**
 * The port for finding state and scan records (publish/stores: local folder, DynamoDB).
 * `commit` writes each changed record only if the stored version is still `version - 1` (or absent
 * for version 1), so two overlapping scans cannot overwrite each other: the later one gets a
 * StateConflictError and its remaining writes stop.
 */
export interface FindingStateStore {
  load(): Promise<StoredState>;
  commit(changed: readonly FindingState[], scan: ScanRecord): Promise<void>;
  /** Newest first. */
  scans(limit: number): Promise<ScanRecord[]>;
}

/** One file of a scan's report set, as written to S3 or a folder. */
export interface ReportArtifact {
  name: string;
  contentType: string;
  body: string;
}

/** A file written piece by piece (every finding of a large scan): nothing is visible until `complete`. */
export interface ArtifactUpload {
  /** Appends text; resolves when the writer can take more. */
  write(chunk: string): Promise<void>;
  complete(): Promise<void>;
  /** Drops what was written (a multipart upload is aborted). */
  abort(): Promise<void>;
}

/** The port for report archives (S3). Returns where each artifact went, for links. */
export interface ReportStore {
  /** `streamed`: names of files already completed through `open`, listed with the others (the latest pointer). */
  put(
    scanId: string,
    artifacts: readonly ReportArtifact[],
    streamed?: readonly string[],
    /** `latest: false`: keep the latest pointer where it is (a cluster scan's report is not the fleet's posture). */
    options?: { latest?: boolean },
  ): Promise<{ keys: string[]; latest: string }>;
  /** Starts a streamed file of a scan's report; a store without it gets large files whole, through `put`. */
  open?(scanId: string, name: string, contentType: string): Promise<ArtifactUpload>;
  /** Reads back a file of a scan's report line by line (sinks that need every finding, not the bounded report). */
  lines?(scanId: string, name: string): AsyncIterable<string>;
}

/** What a notifier gets besides the report. */
export interface NotifyContext {
  reportUrl?: string;
  /**
   * Every finding of the scan, reconciled, read back from the archive: set when `report.truncated` says the
   * report holds a selection (a sink that must see every finding, like Security Hub's import, reads this).
   */
  findings?: () => AsyncIterable<Finding>;
}

/**
 * Something that tells people: Slack, email, SNS, Security Hub. Gets the reconciled report (bounded for a large
 * scan: every new and regressed FAIL first, with the full counts); only moves bytes.
 */
export interface Notifier {
  readonly name: string;
  notify(report: ScanReport, context: NotifyContext): Promise<void>;
}

const ISO = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');
const ActiveSuppressionSchema = z.object({
  index: z.number().int().min(0),
  check: z.string(),
  resource: z.string(),
  reason: z.string(),
  owner: z.string(),
  expires: z.string(),
});

/** Validates a record read back from a store; a bad one is named, never silently dropped or overwritten. */
export const FindingStateSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character finding id'),
  checkId: z.string().min(1),
  title: z.string(),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  provider: z.enum(['aws', 'azure', 'gcp']),
  accountId: z.string().min(1),
  region: z.string().min(1),
  clusterName: z.string(),
  clusterId: z.string().min(1),
  resourceId: z.string().min(1),
  message: z.string(),
  status: z.enum(['open', 'resolved']),
  firstSeen: ISO,
  lastSeen: ISO,
  resolvedAt: ISO.optional(),
  lastScanId: z.string().min(1),
  stale: z.object({ since: ISO, reason: z.string() }).optional(),
  suppressed: ActiveSuppressionSchema.optional(),
  history: z.array(
    z.object({
      at: ISO,
      scanId: z.string(),
      change: z.enum(['opened', 'regressed', 'resolved', 'stale', 'suppressed', 'unsuppressed']),
      reason: z.string().optional(),
    }),
  ),
  version: z.number().int().min(1),
});

/** Parses one stored record; `where` names it in the error (`state.json findings[3]`). */
export function parseFindingState(raw: unknown, where: string): FindingState {
  const r = FindingStateSchema.safeParse(raw);
  if (r.success) return r.data as FindingState;
  const id = raw && typeof raw === 'object' && 'id' in raw ? ` (finding ${String((raw as { id: unknown }).id)})` : '';
  const issues = r.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`).join('; ');
  throw new StateError(`Invalid stored finding state at ${where}${id}: ${issues}`);
}

const COUNT = z.number().int().min(0);
const countsOf = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, COUNT])) as Record<K, typeof COUNT>);

/** A scan record read back from a store: one that does not parse is reported and skipped (state.json is the authority). */
export const ScanRecordSchema = z.object({
  id: z.string().min(1),
  trigger: z.string(),
  startedAt: ISO,
  finishedAt: ISO,
  targets: countsOf(['total', 'scanned', 'partial', 'failed'] as const),
  clusters: COUNT,
  byStatus: countsOf(RESULT_STATUSES),
  failBySeverity: countsOf(SEVERITIES),
  delta: countsOf(['new', 'regressed', 'persisting', 'resolved', 'stale', 'suppressed', 'open'] as const).nullable(),
});

/** What is wrong with a stored scan record, by field (`targets.total: ...`), or undefined when it is valid. */
export function scanRecordProblem(raw: unknown): string | undefined {
  const r = ScanRecordSchema.safeParse(raw);
  return r.success ? undefined : r.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`).join('; ');
}

/** A JSON value's kind for messages: `string`, `array`, `null`, `object`, ... */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Resolved records older than this are dropped from state (DynamoDB: by TTL). */
export const RESOLVED_RETENTION_DAYS = 90;

export interface ReconcileAndStoreOptions {
  now: Date;
  suppressions?: readonly Suppression[];
  /** State already loaded (the CLI loads it before scanning, so a bad state file fails fast). */
  stored?: StoredState;
}

/**
 * Times a scan reconciles again on fresh state after another scan changed a finding it was writing (a rescan racing
 * a full scan). Each retry is against newer state, and each conflict means another scan made progress.
 */
export const COMMIT_ATTEMPTS = 4;

/**
 * Runs `attempt` again while it fails with a finding-version conflict (StateConflictError naming a finding), at most
 * `COMMIT_ATTEMPTS` times. A busy lock or an already-recorded scan is not retried: those are another scan's or a bug.
 * Safe because reconcile is pure and labels what an earlier attempt of the same scan wrote as that scan's (lifecycle.ts
 * `ownChange`): a retry neither loses the update nor alerts a finding another scan has alerted.
 */
export async function retryOnConflict<T>(attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof StateConflictError) || e.findingId === undefined || n >= COMMIT_ATTEMPTS) throw e;
    }
  }
}

/** load → reconcile → commit (again on fresh state after a conflict), the reconcile stage of the CLI and rescans. */
export async function reconcileWithStore(
  store: FindingStateStore,
  report: ScanReport,
  options: ReconcileAndStoreOptions,
): Promise<ReconcileResult & { record: ScanRecord }> {
  return retryOnConflict(async (n) => {
    const stored = n === 1 && options.stored ? options.stored : await store.load();
    const result = reconcile(stored.findings, report, {
      now: options.now,
      suppressions: options.suppressions ?? [],
      previousScanId: stored.lastScan?.id ?? null,
    });
    const record = scanRecordOf(result.report);
    await store.commit(result.changed, record);
    return { ...result, record };
  });
}
