import { clusterIdKey } from './cluster-ref.ts';
import type { Finding } from './finding.ts';
import type { ScanReport } from './report.ts';
import { atLeast, SEVERITIES, type Severity } from './severity.ts';
import { type ActiveSuppression, matchSuppression, type Suppression } from './suppressions.ts';
import { targetKey } from './target.ts';

/** How this scan changed a failing finding, against the stored state. */
export const LIFECYCLE_STATES = ['new', 'regressed', 'persisting', 'resolved'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

/** Why a finding could not be re-judged in this scan: it stays open, and says so. */
export interface Staleness {
  /** ISO time of the first scan that could not re-judge it; kept while it stays stale. */
  since: string;
  reason: string;
}

/** The lifecycle a report shows on a finding that fails, or failed before. Never-failed findings have none. */
export interface FindingLifecycle {
  state: LifecycleState;
  /** First scan that saw it fail (set once, kept across resolve and regress). */
  firstSeen: string;
  /** Last scan that saw it fail. */
  lastSeen: string;
  stale?: Staleness;
  suppressed?: ActiveSuppression;
}

export type StateChange = 'opened' | 'regressed' | 'resolved' | 'stale' | 'suppressed' | 'unsuppressed';

export interface StateHistoryEntry {
  at: string;
  scanId: string;
  change: StateChange;
  reason?: string;
}

/** How many status changes a state record keeps: enough to see flapping, small enough for one DynamoDB item. */
export const HISTORY_LIMIT = 20;

/** What identifies and places a finding, and its last message: carried by state records and references. */
export type FindingIdentity = Pick<
  Finding,
  | 'id'
  | 'checkId'
  | 'title'
  | 'category'
  | 'severity'
  | 'provider'
  | 'accountId'
  | 'region'
  | 'clusterName'
  | 'clusterId'
  | 'resourceId'
  | 'message'
>;

export function identityOf(f: FindingIdentity): FindingIdentity {
  return {
    id: f.id,
    checkId: f.checkId,
    title: f.title,
    category: f.category,
    severity: f.severity,
    provider: f.provider,
    accountId: f.accountId,
    region: f.region,
    clusterName: f.clusterName,
    clusterId: f.clusterId,
    resourceId: f.resourceId,
    message: f.message,
  };
}

/**
 * What the store keeps per finding id, for every finding that has ever failed. PASS results that
 * never failed are not stored: state grows with problems, not with the fleet. `message` is the last
 * FAIL message (the evidence line), so a resolved or stale finding still says what was wrong.
 */
export interface FindingState extends FindingIdentity {
  status: 'open' | 'resolved';
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
  /** The scan that last changed this record. */
  lastScanId: string;
  stale?: Staleness;
  suppressed?: ActiveSuppression;
  history: StateHistoryEntry[];
  /** Optimistic-concurrency counter: a store writes a record only if the stored version is still the one read. */
  version: number;
}

/** A finding named by its stored state: for resolved and stale findings that this scan did not report. */
export type FindingRef = FindingIdentity & Pick<FindingState, 'firstSeen' | 'lastSeen'> & { reason?: string };

export interface DeltaCounts {
  new: number;
  regressed: number;
  persisting: number;
  resolved: number;
  /** Open findings this scan could not re-judge (target, cluster or data not collected). */
  stale: number;
  /** Open findings under an active suppression (counted, not alerted). */
  suppressed: number;
  /** Every open finding after this scan, stale and suppressed included. */
  open: number;
}

export interface Delta {
  previousScanId: string | null;
  counts: DeltaCounts;
  /** Every finding resolved by this scan: it passed, or its resource is gone from a fully read target. */
  resolved: FindingRef[];
  /** Open findings this scan could not re-judge, with the reason. */
  stale: FindingRef[];
  /** Suppression entries whose expiry has passed (they no longer apply). */
  expiredSuppressions: { index: number; checkId: string; resource: string; expires: string }[];
  /**
   * `counts.new` and `counts.regressed` by severity, counted a finding at a time: what a digest's "and N more" comes
   * from, whole when the report holds a selection of the findings (additive; absent in reports written before it).
   */
  alertsBySeverity?: Record<Severity, AlertCounts>;
}

/** New and regressed unsuppressed FAILs: the findings that reach people. */
export interface AlertCounts {
  new: number;
  regressed: number;
}

/** A set that only answers `has`: what coverage needs, kept compact for a fleet of results. */
export interface MembershipSet {
  has(key: string): boolean;
}

/** What a scan could read: decides whether a finding missing from it is resolved or merely unknown. */
export interface Coverage {
  /** `provider/account` whose every region failed before regions were known (`region: '*'`). */
  failedAccounts: Map<string, string>;
  /** `provider/account/region` targets that failed, or that had a target-level error. */
  incompleteTargets: Map<string, string>;
  /** Targets whose cluster list was read completely. */
  completeTargets: Set<string>;
  /** Cluster targets (by `clusterIdKey`) that failed: their findings stay open, stale. */
  incompleteClusters: Map<string, string>;
  /**
   * Cluster targets read without an error: a cluster among them with no results was answered "not found" by its
   * cloud (DescribeCluster ResourceNotFound, ARM or GKE 404), since any other failure is an error.
   */
  completeClusters: Set<string>;
  /** Clusters that produced results. */
  seenClusters: Set<string>;
  /** `checkId clusterId` pairs that yielded at least one result. */
  checkRuns: MembershipSet;
  /** `checkId clusterId` pairs whose data was not collected (an ERROR result), with the reason. */
  checkErrors: Map<string, string>;
}

const checkOnCluster = (checkId: string, clusterId: string) => `${checkId} ${clusterId}`;

/**
 * Coverage built a result at a time (finalize streams results): what the findings say is kept per cluster, with check
 * ids shared, so 560,000 results cost a set of check ids per cluster rather than a string per result. Targets and
 * errors are few and are judged at `build`, since errors and targets arrive in any order.
 */
export function coverageBuilder() {
  const seenClusters = new Set<string>();
  const checksByCluster = new Map<string, Set<string>>();
  const checkIds = new Map<string, string>();
  const checkErrors = new Map<string, string>();
  const errors: Pick<ScanReport, 'errors'>['errors'] = [];
  const targets: Pick<ScanReport, 'targets'>['targets'] = [];
  const checkRuns: MembershipSet = {
    has(key) {
      const at = key.indexOf(' ');
      return at > 0 && (checksByCluster.get(key.slice(at + 1))?.has(key.slice(0, at)) ?? false);
    },
  };
  return {
    addTargets(more: Readonly<ScanReport['targets']>, errs: Readonly<ScanReport['errors']>) {
      targets.push(...more);
      errors.push(...errs);
    },
    addFinding(f: Pick<Finding, 'checkId' | 'clusterId' | 'status' | 'message'>) {
      seenClusters.add(f.clusterId);
      let checks = checksByCluster.get(f.clusterId);
      if (!checks) {
        checks = new Set();
        checksByCluster.set(f.clusterId, checks);
      }
      let checkId = checkIds.get(f.checkId);
      if (checkId === undefined) {
        checkId = f.checkId;
        checkIds.set(checkId, checkId);
      }
      checks.add(checkId);
      if (f.status === 'ERROR') {
        const key = checkOnCluster(f.checkId, f.clusterId);
        if (!checkErrors.has(key)) checkErrors.set(key, f.message);
      }
    },
    build(): Coverage {
      const failedAccounts = new Map<string, string>();
      const incompleteTargets = new Map<string, string>();
      const incompleteClusters = new Map<string, string>();
      for (const e of errors) {
        const reason = `${e.stage} failed (${e.code}): ${e.message}`;
        if (e.clusterId) incompleteClusters.set(clusterIdKey(e.clusterId), reason);
        else if (e.region === '*') failedAccounts.set(`${e.provider}/${e.accountId}`, reason);
        else incompleteTargets.set(targetKey(e), reason);
      }
      const completeTargets = new Set<string>();
      const completeClusters = new Set<string>();
      for (const t of targets) {
        const key = t.clusterId ? clusterIdKey(t.clusterId) : targetKey(t);
        const incomplete = t.clusterId ? incompleteClusters : incompleteTargets;
        if (t.status === 'failed') {
          if (!incomplete.has(key)) incomplete.set(key, 'target could not be scanned');
        } else if (!incomplete.has(key)) (t.clusterId ? completeClusters : completeTargets).add(key);
      }
      return {
        failedAccounts,
        incompleteTargets,
        completeTargets,
        incompleteClusters,
        completeClusters,
        seenClusters,
        checkRuns,
        checkErrors,
      };
    },
  };
}

/** Reads coverage out of a report: `errors`, `targets[].status` and the ERROR results. */
export function coverageOf(report: Pick<ScanReport, 'errors' | 'targets' | 'findings'>): Coverage {
  const builder = coverageBuilder();
  builder.addTargets(report.targets, report.errors);
  for (const f of report.findings) builder.addFinding(f);
  return builder.build();
}

/**
 * Why a finding this scan did not report cannot be called resolved, or undefined when it can.
 * Resolved only when the scan read its target's whole cluster list and either the cluster is gone
 * from it, or the check ran on the cluster, with its data, and no longer reports the resource.
 */
export function unknownBecause(s: FindingState, c: Coverage): string | undefined {
  const cluster = clusterIdKey(s.clusterId);
  const clusterFailed = c.incompleteClusters.get(cluster);
  if (clusterFailed) return `cluster not scanned: ${clusterFailed}`;
  if (c.completeClusters.has(cluster)) {
    // Read by name: no results means its cloud said it does not exist (any other failure is an error).
    if (!c.seenClusters.has(s.clusterId)) return undefined;
  } else {
    const account = c.failedAccounts.get(`${s.provider}/${s.accountId}`);
    if (account) return `account not scanned: ${account}`;
    // Azure and GCP targets are a whole subscription or project (`*`); their findings carry the cluster's location.
    const target = [targetKey(s), targetKey({ ...s, region: '*' })];
    const incomplete = target.map((t) => c.incompleteTargets.get(t)).find((r) => r !== undefined);
    if (incomplete) return `target not fully scanned: ${incomplete}`;
    if (!target.some((t) => c.completeTargets.has(t))) return 'target not in this scan';
    if (!c.seenClusters.has(s.clusterId)) return undefined; // the full cluster list was read: the cluster is gone
  }
  const key = checkOnCluster(s.checkId, s.clusterId);
  const error = c.checkErrors.get(key);
  if (error) return `data not collected: ${error}`;
  if (!c.checkRuns.has(key)) return 'check did not run on this cluster in this scan';
  return undefined;
}

export interface ReconcileOptions {
  now: Date;
  suppressions?: readonly Suppression[];
  /** Defaults to `coverageOf(report)`. */
  coverage?: Coverage;
  /** The scan the state was last written by (from the store's scan records); defaults to the newest in state. */
  previousScanId?: string | null;
}

export interface ReconcileResult {
  /** The report's findings, each failing (or formerly failing) one with its lifecycle; plus `delta`. */
  report: ScanReport;
  delta: Delta;
  /** Every state record after this scan, changed or not. */
  nextState: FindingState[];
  /** The records this scan changed (version bumped): what a store must write. */
  changed: FindingState[];
}

function refOf(s: FindingState, reason?: string): FindingRef {
  const ref: FindingRef = { ...identityOf(s), firstSeen: s.firstSeen, lastSeen: s.lastSeen };
  if (reason) ref.reason = reason;
  return ref;
}

function fromFinding(f: Finding, at: string, scanId: string): FindingState {
  return { ...identityOf(f), status: 'open', firstSeen: at, lastSeen: at, lastScanId: scanId, history: [], version: 0 };
}

function sameSuppression(a: ActiveSuppression | undefined, b: ActiveSuppression | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** What the reconciler needs besides the previous state: the scan, the clock and the suppressions. */
export interface ReconcilerOptions {
  scanId: string;
  /** The scan's start (ISO): first and last seen times. */
  at: string;
  now: Date;
  suppressions?: readonly Suppression[];
  /** The scan the state was last written by; defaults to the newest in state. */
  previousScanId?: string | null;
  /**
   * A scoped scan's cluster ids (`ScanInfo.clusters`): only their findings are judged; every other record is left
   * exactly as stored (not stale, not counted). Absent: the whole stored state is judged.
   */
  scope?: readonly string[];
}

export interface Reconciler {
  /** The finding with its lifecycle (when it fails, or failed before); call once per result, in any order. */
  add(f: Finding): Finding;
  /** After every result: findings this scan did not report (resolved or stale, by coverage), and the delta. */
  finish(coverage: Coverage): Omit<ReconcileResult, 'report'>;
}

/**
 * `reconcile` a result at a time, for a scan too large to hold (finalize streams results): memory is the previous
 * state and what changed, never the results themselves. `reconcile` is this over a whole report.
 */
export function createReconciler(previous: readonly FindingState[], options: ReconcilerOptions): Reconciler {
  const { at, scanId } = options;
  const suppressions = options.suppressions ?? [];
  const scope = options.scope ? new Set(options.scope.map(clusterIdKey)) : undefined;
  const inScope = (clusterId: string) => !scope || scope.has(clusterIdKey(clusterId));
  const prevById = new Map(previous.map((s) => [s.id, s]));
  /** Previous records this scan reported a result for: the others are judged by coverage at the end. */
  const reportedPrev = new Set<string>();
  const next = new Map<string, FindingState>();
  const changed: FindingState[] = [];
  const resolved: FindingRef[] = [];
  const stale: FindingRef[] = [];
  const counts: DeltaCounts = { new: 0, regressed: 0, persisting: 0, resolved: 0, stale: 0, suppressed: 0, open: 0 };
  const alertsBySeverity = noAlerts();

  /** Records a change (bumped version, history entry) only when something other than timestamps moved. */
  const commit = (before: FindingState | undefined, after: FindingState, change?: StateChange, reason?: string) => {
    if (change) {
      const entry: StateHistoryEntry = { at, scanId, change };
      if (reason) entry.reason = reason;
      after.history = [...after.history, entry].slice(-HISTORY_LIMIT);
    }
    if (before && JSON.stringify(before) === JSON.stringify(after)) {
      next.set(after.id, before);
      return;
    }
    after.version = (before?.version ?? 0) + 1;
    after.lastScanId = scanId;
    next.set(after.id, after);
    changed.push(after);
  };

  function add(f: Finding): Finding {
    // A result outside a scoped scan's clusters cannot come from its collectors; it is never judged.
    if (!inScope(f.clusterId)) return f;
    const prev = prevById.get(f.id);
    if (prev) reportedPrev.add(f.id);
    if (prev && observedAfter(prev, at)) {
      // A scan that started later (a rescan racing this one) already judged it: this older view changes nothing.
      next.set(prev.id, prev);
      if (prev.status === 'resolved') return f;
      counts.open++;
      if (prev.suppressed) counts.suppressed++;
      else if (f.status === 'FAIL') counts.persisting++;
      if (f.status !== 'FAIL') return f;
      const lifecycle: FindingLifecycle = { state: 'persisting', firstSeen: prev.firstSeen, lastSeen: prev.lastSeen };
      if (prev.suppressed) lifecycle.suppressed = prev.suppressed;
      return { ...f, lifecycle };
    }
    const own = prev ? ownChange(prev, scanId) : undefined;
    if (own?.change === 'resolved' && prev?.status === 'resolved' && f.status !== 'FAIL' && f.status !== 'ERROR') {
      // Resolved by an earlier attempt of this scan (a retried commit): still this scan's resolution.
      next.set(prev!.id, prev!);
      counts.resolved++;
      resolved.push(refOf(prev!, own.reason));
      return { ...f, lifecycle: { state: 'resolved', firstSeen: prev!.firstSeen, lastSeen: prev!.lastSeen } };
    }
    if (f.status === 'FAIL') {
      const suppression = matchSuppression(suppressions, f, options.now);
      const base = prev ? { ...prev } : fromFinding(f, at, scanId);
      const after: FindingState = {
        ...base,
        title: f.title,
        category: f.category,
        severity: f.severity,
        clusterName: f.clusterName,
        message: f.message,
        status: 'open',
        lastSeen: at,
      };
      delete after.resolvedAt;
      delete after.stale;
      if (suppression) after.suppressed = suppression;
      else delete after.suppressed;
      // A suppression that lapsed (expired or removed) brings the finding back as if it had just regressed.
      const unsuppressed = Boolean(prev?.suppressed) && !suppression;
      let state: LifecycleState = !prev
        ? 'new'
        : prev.status === 'resolved' || unsuppressed
          ? 'regressed'
          : 'persisting';
      let change: StateChange | undefined;
      if (state === 'new') change = 'opened';
      else if (state === 'regressed') change = prev?.status === 'open' ? 'unsuppressed' : 'regressed';
      else if (!sameSuppression(prev?.suppressed, suppression)) change = 'suppressed';
      else if (prev?.status === 'open' && own && OPENING[own.change]) {
        // Opened by an earlier attempt of this scan (its commit conflicted and was retried): the opening, and so the
        // alert, is still this scan's. No other scan can hold it: it would have moved the record on.
        state = OPENING[own.change]!;
      }
      commit(prev, after, change, suppression?.reason);
      if (suppression) counts.suppressed++;
      else {
        counts[state]++;
        if (state === 'new' || state === 'regressed') alertsBySeverity[f.severity][state]++;
      }
      counts.open++;
      const lifecycle: FindingLifecycle = { state, firstSeen: after.firstSeen, lastSeen: after.lastSeen };
      if (suppression) lifecycle.suppressed = suppression;
      return { ...f, lifecycle };
    }
    if (!prev) return f;
    if (prev.status === 'resolved') {
      next.set(prev.id, prev);
      return f;
    }
    if (f.status === 'ERROR') {
      // Its data was not collected: what failed before is still open, and unknown.
      const after = staleState(prev, `data not collected: ${f.message}`, at);
      commit(prev, after, prev.stale ? undefined : 'stale', after.stale?.reason);
      counts.stale++;
      counts.open++;
      if (after.suppressed) counts.suppressed++;
      stale.push(refOf(after, after.stale?.reason));
      const lifecycle: FindingLifecycle = {
        state: 'persisting',
        firstSeen: after.firstSeen,
        lastSeen: after.lastSeen,
        stale: after.stale!,
      };
      if (after.suppressed) lifecycle.suppressed = after.suppressed;
      return { ...f, lifecycle };
    }
    // PASS or NOT_APPLICABLE, read this scan: what failed before is fixed.
    const after = resolvedState(prev, at);
    const how = f.status === 'PASS' ? 'passes now' : 'no longer applicable';
    commit(prev, after, 'resolved', how);
    counts.resolved++;
    resolved.push(refOf(after, how));
    return { ...f, lifecycle: { state: 'resolved', firstSeen: after.firstSeen, lastSeen: after.lastSeen } };
  }

  function finish(coverage: Coverage): Omit<ReconcileResult, 'report'> {
    for (const prev of previous) {
      if (reportedPrev.has(prev.id)) continue;
      if (!inScope(prev.clusterId) || observedAfter(prev, at)) {
        // Another cluster than a scoped scan read, or judged by a later scan: kept as stored, not stale.
        next.set(prev.id, prev);
        if (inScope(prev.clusterId) && prev.status === 'open') counts.open++;
        continue;
      }
      if (prev.status === 'resolved') {
        next.set(prev.id, prev);
        const own = ownChange(prev, scanId);
        if (own?.change === 'resolved') {
          counts.resolved++;
          resolved.push(refOf(prev, own.reason));
        }
        continue;
      }
      const reason = unknownBecause(prev, coverage);
      if (reason) {
        const after = staleState(prev, reason, at);
        commit(prev, after, prev.stale ? undefined : 'stale', reason);
        counts.stale++;
        counts.open++;
        if (after.suppressed) counts.suppressed++;
        stale.push(refOf(after, after.stale?.reason));
      } else {
        const after = resolvedState(prev, at);
        const why = coverage.seenClusters.has(prev.clusterId)
          ? 'resource no longer reported'
          : 'cluster no longer exists';
        commit(prev, after, 'resolved', why);
        counts.resolved++;
        resolved.push(refOf(after, why));
      }
    }

    const expiredSuppressions = suppressions
      .map((s, index) => ({ s, index }))
      .filter(({ s }) => s.expiresAt.getTime() <= options.now.getTime())
      .map(({ s, index }) => ({ index, checkId: s.check, resource: s.resource, expires: s.expires }));

    const delta: Delta = {
      previousScanId: options.previousScanId ?? latestScanId(previous),
      counts,
      resolved,
      stale,
      expiredSuppressions,
      alertsBySeverity,
    };
    const nextState = [...next.values()].sort((a, b) => a.id.localeCompare(b.id));
    return { delta, nextState, changed };
  }

  return { add, finish };
}

/**
 * Labels every failing finding `new`, `regressed`, `persisting` or `resolved` against the previous
 * state, and computes the next state. Pure: the clock and the suppressions come in as arguments.
 *
 * Coverage-aware: a finding is resolved only when this scan read what would have shown it (see
 * `unknownBecause`); otherwise it stays open and is marked stale with the reason. An ERROR result
 * for an open finding is never a resolution either: its data was not collected.
 */
export function reconcile(
  previous: readonly FindingState[],
  report: ScanReport,
  options: ReconcileOptions,
): ReconcileResult {
  const reconciler = createReconciler(previous, {
    scanId: report.scan.id,
    at: report.scan.startedAt,
    now: options.now,
    ...(report.scan.clusters ? { scope: report.scan.clusters } : {}),
    suppressions: options.suppressions ?? [],
    ...(options.previousScanId !== undefined ? { previousScanId: options.previousScanId } : {}),
  });
  const findings = report.findings.map((f) => reconciler.add(f));
  const result = reconciler.finish(options.coverage ?? coverageOf(report));
  return { report: { ...report, findings, delta: result.delta }, ...result };
}

/** History changes that open a finding, and the lifecycle they give the scan that made them. */
const OPENING: Partial<Record<StateChange, LifecycleState>> = {
  opened: 'new',
  regressed: 'regressed',
  unsuppressed: 'regressed',
};

/**
 * The change this scan itself last made to the record, when the record is still as this scan wrote it: only an
 * earlier attempt of the same scan (a commit refused part-way by a conflict, then retried on fresh state) leaves one.
 */
function ownChange(prev: FindingState, scanId: string): StateHistoryEntry | undefined {
  if (prev.lastScanId !== scanId) return undefined;
  const last = prev.history.at(-1);
  return last?.scanId === scanId ? last : undefined;
}

/**
 * Whether the record holds an observation newer than a scan started at `at`: a scan that started later (a rescan of
 * the cluster) committed first. The older view must not undo it, which would lose that update and alert it again.
 */
function observedAfter(prev: FindingState, at: string): boolean {
  const last = Math.max(Date.parse(prev.lastSeen), prev.resolvedAt ? Date.parse(prev.resolvedAt) : 0);
  return last > Date.parse(at);
}

function staleState(prev: FindingState, reason: string, at: string): FindingState {
  // The first reason and time are kept: "unknown since Monday, because the account was denied".
  return { ...prev, stale: prev.stale ?? { since: at, reason } };
}

function resolvedState(prev: FindingState, at: string): FindingState {
  const after: FindingState = { ...prev, status: 'resolved', resolvedAt: at };
  delete after.stale;
  delete after.suppressed;
  return after;
}

/** The newest scan id any record mentions: the previous scan, as far as state can tell. */
function latestScanId(state: readonly FindingState[]): string | null {
  let latest: string | null = null;
  for (const s of state) if (latest === null || s.lastScanId > latest) latest = s.lastScanId;
  return latest;
}

function noAlerts(): Record<Severity, AlertCounts> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, { new: 0, regressed: 0 }])) as Record<Severity, AlertCounts>;
}

/**
 * How many findings `alertable` would give at or above `minSeverity` over every finding of the scan, by severity and
 * in all: from the delta's counts (the report may hold a selection: a list's length would undercount), or from the
 * findings when the delta has no split (an older report). Never less than the report's own alertable findings.
 */
export function alertTotals(
  report: Pick<ScanReport, 'findings' | 'delta'>,
  minSeverity: Severity = 'info',
): { total: number; bySeverity: Record<Severity, AlertCounts> } {
  const held = noAlerts();
  for (const f of alertable(report.findings)) held[f.severity][f.lifecycle!.state as keyof AlertCounts]++;
  const whole = report.delta?.alertsBySeverity;
  const bySeverity = noAlerts();
  let total = 0;
  for (const s of SEVERITIES) {
    if (!atLeast(s, minSeverity)) continue;
    for (const k of ['new', 'regressed'] as const) {
      bySeverity[s][k] = Math.max(whole?.[s]?.[k] ?? 0, held[s][k]);
      total += bySeverity[s][k];
    }
  }
  return { total, bySeverity };
}

/** Open findings that should reach people: new or regressed, and not suppressed. */
export function alertable(findings: readonly Finding[]): Finding[] {
  return findings.filter(
    (f) => f.lifecycle && !f.lifecycle.suppressed && (f.lifecycle.state === 'new' || f.lifecycle.state === 'regressed'),
  );
}
