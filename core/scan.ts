import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import type { AnyCheck, EvalContext } from './check.ts';
import { type ClusterRef, clusterIdKey } from './cluster-ref.ts';
import type { ScanConfig } from './config.ts';
import { Deadline } from './deadline.ts';
import { evaluateSnapshots } from './engine.ts';
import { errorMessage } from './errors.ts';
import type { Finding } from './finding.ts';
import { summarizeInsights } from './insights-summary.ts';
import {
  REPORT_SCHEMA_VERSION,
  type ScanInfo,
  type ScanNote,
  type ScanReport,
  sortFindings,
  summarize,
  type TargetSummary,
} from './report.ts';
import {
  type Collector,
  clusterTarget,
  type Target,
  type TargetCollection,
  type TargetError,
  targetKey,
} from './target.ts';
import { VERSION } from './version.ts';

export type ScanProgress =
  | { type: 'planned'; targets: Target[]; errors: TargetError[] }
  | { type: 'target-started'; target: Target }
  | { type: 'target-finished'; target: Target; summary: TargetSummary; errors: TargetError[] };

export interface ScanDeps {
  collectors: Collector[];
  checks: readonly AnyCheck[];
  config: ScanConfig;
  clock?: () => Date;
  scanId?: string;
  trigger?: string;
  onProgress?: (event: ScanProgress) => void;
  /**
   * Scan these clusters only (a scoped scan): each is read by name, never by listing its account, and the report's
   * `scan.clusters` scopes reconcile to them. The collector of each cluster's cloud must be in `collectors`.
   */
  clusters?: readonly ClusterRef[];
}

/** Sortable and unique enough for one team's scans: `20261124T080102Z-3f9a1c`. */
export function newScanId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export function summarizeTarget(c: TargetCollection): TargetSummary {
  const failed = c.errors.length > 0 && c.snapshots.length === 0;
  const partial = c.errors.length > 0 || c.snapshots.some((s) => s.gaps.length > 0);
  return {
    ...pick(c.target),
    status: failed ? 'failed' : partial ? 'partial' : 'scanned',
    clusters: c.snapshots.length,
  };
}

/** Where a target's summary and errors point: its account and region, and its cluster when it is one. */
function pick(t: Target): Pick<Target, 'provider' | 'accountId' | 'region'> & { clusterId?: string } {
  return {
    provider: t.provider,
    accountId: t.accountId,
    region: t.region,
    ...(t.cluster ? { clusterId: t.cluster.id } : {}),
  };
}

export interface TargetResult {
  summary: TargetSummary;
  errors: TargetError[];
  findings: Finding[];
}

/**
 * Collect and evaluate one target: the unit of work of the Lambda fan-out and of the CLI.
 * A collector that throws is turned into a recorded error: one target never aborts a scan.
 */
export async function scanTarget(
  collector: Collector,
  target: Target,
  checks: readonly AnyCheck[],
  ctx: EvalContext,
  deadline: Deadline = Deadline.none(),
): Promise<TargetResult> {
  let collection: TargetCollection;
  try {
    collection = await withinDeadline(collector.collect(target, { deadline }), deadline, target);
  } catch (e) {
    collection = {
      target,
      snapshots: [],
      errors: [{ ...pick(target), stage: 'collect', code: 'Unknown', message: errorMessage(e) }],
    };
  }
  if (target.cluster) {
    // A cluster target's failures (AssumeRole denied included) cost that cluster only: say which.
    const clusterId = target.cluster.id;
    collection = { ...collection, errors: collection.errors.map((e) => ({ ...e, clusterId })) };
  }
  return {
    summary: summarizeTarget(collection),
    errors: collection.errors,
    findings: evaluateSnapshots(collection.snapshots, checks, ctx),
  };
}

/**
 * Time a collector gets after its deadline to turn what it could not read into gaps. Past it the target is given up
 * as a whole: a collector that ignores its deadline can still never hold a scan (or a Lambda) to its kill.
 */
export const DEADLINE_GRACE_MS = 5_000;

async function withinDeadline(
  collecting: Promise<TargetCollection>,
  deadline: Deadline,
  target: Target,
): Promise<TargetCollection> {
  if (!Number.isFinite(deadline.remainingMs())) return collecting;
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<TargetCollection>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          target,
          snapshots: [],
          errors: [
            {
              ...pick(target),
              stage: 'collect',
              code: 'Timeout',
              message: `Timeout: collection did not finish within the target deadline (+${DEADLINE_GRACE_MS} ms); nothing of this target was kept`,
            },
          ],
        }),
      deadline.remainingMs() + DEADLINE_GRACE_MS,
    );
    timer.unref();
  });
  try {
    return await Promise.race([collecting, givenUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** A target (or an account, a whole cloud: `*`) that failed before it could be collected. */
export function failedTarget(e: TargetError): TargetSummary {
  return {
    provider: e.provider,
    accountId: e.accountId,
    region: e.region,
    ...(e.clusterId ? { clusterId: e.clusterId } : {}),
    status: 'failed',
    clusters: 0,
  };
}

/**
 * Every collector's plan, one after another. A collector whose plan throws becomes one error for its
 * whole cloud (`*`), never an abort: the other clouds are still scanned.
 */
export async function planTargets(
  collectors: readonly Collector[],
): Promise<{ planned: { collector: Collector; target: Target }[]; errors: TargetError[] }> {
  const planned: { collector: Collector; target: Target }[] = [];
  const errors: TargetError[] = [];
  for (const collector of collectors) {
    try {
      const plan = await collector.plan();
      errors.push(...plan.errors);
      for (const target of plan.targets) planned.push({ collector, target });
    } catch (e) {
      errors.push({
        provider: collector.provider,
        accountId: '*',
        region: '*',
        stage: 'plan',
        code: 'Unknown',
        message: errorMessage(e),
      });
    }
  }
  return { planned, errors };
}

/** Each cluster once, whichever way it was written (a GKE self link and its path are one cluster). */
export function uniqueClusters(refs: readonly ClusterRef[]): ClusterRef[] {
  const seen = new Map<string, ClusterRef>();
  for (const r of refs) if (!seen.has(clusterIdKey(r.id))) seen.set(clusterIdKey(r.id), r);
  return [...seen.values()];
}

/**
 * A scoped scan's plan: one target per named cluster, with no listing call. A cluster whose cloud has no collector
 * (not configured) is an error for that cluster, never a silent skip.
 */
export function planClusters(
  collectors: readonly Collector[],
  refs: readonly ClusterRef[],
): { planned: { collector: Collector; target: Target }[]; errors: TargetError[] } {
  const planned: { collector: Collector; target: Target }[] = [];
  const errors: TargetError[] = [];
  for (const ref of uniqueClusters(refs)) {
    const target = clusterTarget(ref);
    const collector = collectors.find((c) => c.provider === ref.provider);
    if (collector) planned.push({ collector, target });
    else
      errors.push({
        ...pick(target),
        stage: 'plan',
        code: 'Unknown',
        message: `No ${ref.provider} collector is configured for cluster ${ref.id}`,
      });
  }
  return { planned, errors };
}

/** plan → collect → evaluate → report, with bounded concurrency across targets. */
export async function runScan(deps: ScanDeps): Promise<ScanReport> {
  const clock = deps.clock ?? (() => new Date());
  const started = clock();
  const scanId = deps.scanId ?? newScanId(started);
  const ctx: EvalContext = { now: started, settings: deps.config.checks };
  const errors: TargetError[] = [];
  const targets: TargetSummary[] = [];
  const findings: Finding[] = [];

  const { planned, errors: planErrors } = deps.clusters
    ? planClusters(deps.collectors, deps.clusters)
    : await planTargets(deps.collectors);
  errors.push(...planErrors);
  targets.push(...planErrors.map(failedTarget));
  deps.onProgress?.({ type: 'planned', targets: planned.map((p) => p.target), errors: [...errors] });

  const limit = pLimit(deps.config.concurrency.targets);
  await Promise.all(
    planned.map(({ collector, target }) =>
      limit(async () => {
        deps.onProgress?.({ type: 'target-started', target });
        const deadline = Deadline.after(deps.config.collection.targetTimeoutMs);
        const result = await scanTarget(collector, target, deps.checks, ctx, deadline).finally(() =>
          deadline.dispose(),
        );
        targets.push(result.summary);
        errors.push(...result.errors);
        findings.push(...result.findings);
        deps.onProgress?.({ type: 'target-finished', target, summary: result.summary, errors: result.errors });
      }),
    ),
  );

  return assembleReport({
    scan: {
      id: scanId,
      startedAt: started.toISOString(),
      finishedAt: clock().toISOString(),
      trigger: deps.trigger ?? 'manual',
      ...(deps.clusters ? { clusters: uniqueClusters(deps.clusters).map((r) => r.id) } : {}),
    },
    targets,
    errors,
    findings,
  });
}

/**
 * The report of a scan from its parts, in the deterministic order every runner shares (the CLI's
 * `runScan`, the serverless `finalize`), so the same fleet gives the same report either way.
 */
export function assembleReport(parts: {
  scan: ScanInfo;
  targets: TargetSummary[];
  errors: TargetError[];
  findings: Finding[];
  notes?: ScanNote[];
}): ScanReport {
  const { targets, errors, findings } = parts;
  targets.sort((a, b) => targetKey(a).localeCompare(targetKey(b)));
  errors.sort((a, b) => `${targetKey(a)}/${a.stage}`.localeCompare(`${targetKey(b)}/${b.stage}`));
  sortFindings(findings);
  const insights = summarizeInsights(findings);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'kubeposture', version: VERSION },
    scan: parts.scan,
    summary: summarize(findings, targets),
    targets,
    errors,
    findings,
    ...(parts.notes?.length ? { notes: parts.notes } : {}),
    ...(insights ? { insights } : {}),
  };
}
