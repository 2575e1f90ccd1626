import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { checks as registeredChecks } from '../checks/index.ts';
import type { AnyCheck } from '../core/check.ts';
import { selectChecks } from '../core/check-select.ts';
import { parseClusterRef } from '../core/cluster-ref.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import { Deadline } from '../core/deadline.ts';
import { type ScanSummary, summarize, type TargetSummary } from '../core/report.ts';
import { scanTarget, type TargetResult } from '../core/scan.ts';
import { clusterTarget, type Target } from '../core/target.ts';
import { type CollectorFactory, configForTarget, defaultCollectors } from './collectors.ts';
import { envObjects } from './env.ts';
import { jsonFromEnv, parseInput } from './input.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import { logger, metrics, withMiddleware } from './powertools.ts';
import { CLUSTER_REF, SCAN_ID, TargetSchema } from './scan-request.ts';

export { logger } from './powertools.ts';

/** One Distributed Map item: the plan function writes a JSON array of these. */
export const ScanTargetInputSchema = z
  .object({
    /** Names the scan this target belongs to: in logs, and in the result's S3 key. */
    scanId: SCAN_ID,
    target: TargetSchema,
    /** One named cluster of the target (a cluster scan): read by name, never by listing the target. */
    cluster: CLUSTER_REF.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.cluster) {
      if (input.target.region !== '*' && input.target.provider === 'gcp')
        ctx.addIssue({
          code: 'custom',
          path: ['target', 'region'],
          message: 'a GKE location is given with a cluster only',
        });
      return;
    }
    const ref = parseClusterRef(input.cluster);
    const expected = clusterTarget(ref);
    if (
      ref.provider !== input.target.provider ||
      expected.accountId !== input.target.accountId.toLowerCase() ||
      expected.region !== input.target.region
    )
      ctx.addIssue({
        code: 'custom',
        path: ['cluster'],
        message: 'must be a cluster of the target (its cloud, account and region)',
      });
  });

export type ScanTargetInput = z.infer<typeof ScanTargetInputSchema>;

/** An item as the plan writes it (a ScanTargetInput, with the target typed as core's). */
export interface ScanTargetItem {
  scanId: string;
  /** Account and region only: the cluster, when there is one, is `cluster`. */
  target: Target;
  cluster?: string;
}

/** What a target's result document (in S3) holds: the TargetResult, labelled. */
export interface StoredTargetResult extends TargetResult {
  scanId: string;
  target: Target;
}

/**
 * What one invocation returns to the Distributed Map: small (the map's results are kept by Step
 * Functions), the findings themselves stay in S3 under `resultKey`.
 */
export interface ScanTargetOutput {
  scanId: string;
  target: Target;
  summary: TargetSummary;
  findings: number;
  byStatus: ScanSummary['byStatus'];
  failBySeverity: ScanSummary['failBySeverity'];
  errors: number;
  resultKey: string;
  /** True when a result for this (scan, target) existed already and was returned as it was (a retry). */
  reused: boolean;
}

export interface ScanTargetDeps {
  /** Builds the collector for one invocation (one scan of one target). */
  collectorFor: CollectorFactory;
  checks: readonly AnyCheck[];
  config: ScanConfig;
  clock: () => Date;
  /** The results bucket. */
  objects: ObjectStore;
}

/** `KUBEPOSTURE_CONFIG` (JSON, optional) validated with the CLI's schema; errors name the field. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ScanConfig {
  return jsonFromEnv(env, 'KUBEPOSTURE_CONFIG', parseConfig);
}

let envConfig: ScanConfig | undefined;

/** Production wiring. Built once per container; `config` and `objects` read the environment on first use. */
export const defaultDeps: ScanTargetDeps = {
  collectorFor: defaultCollectors,
  checks: registeredChecks,
  get config() {
    envConfig ??= configFromEnv();
    return envConfig;
  },
  clock: () => new Date(),
  get objects() {
    return envObjects();
  },
};

function outputOf(stored: StoredTargetResult, resultKey: string, reused: boolean): ScanTargetOutput {
  const { byStatus, failBySeverity } = summarize(stored.findings, [stored.summary]);
  return {
    scanId: stored.scanId,
    target: stored.target,
    summary: stored.summary,
    findings: stored.findings.length,
    byStatus,
    failBySeverity,
    errors: stored.errors.length,
    resultKey,
    reused,
  };
}

/**
 * The business function: validate the event, collect and evaluate one target with the same
 * `scanTarget` the CLI runs, write the result to S3 and return a summary. The configuration is
 * read and validated here, once, when the handler is built (cold start), so a bad one fails the init.
 *
 * Idempotent per (scan id, target): the result key is deterministic, and a retry that finds the
 * result already written returns it without scanning again (no second AssumeRole, no second read).
 *
 * Collection failures never throw: they come back in `errors`, with no PASS for what was not
 * seen. Only an invalid event (InvalidInputError, naming the field) or a failed S3 write throws.
 */
/** Kept from the Lambda's remaining time for the deadline's grace, the S3 write and the log line. */
export const RESULT_RESERVE_MS = 20_000;

interface LambdaTime {
  getRemainingTimeInMillis?: () => number;
}

export function makeScanTargetHandler(deps: ScanTargetDeps) {
  const config = deps.config;
  return async function scanTargetHandler(event: unknown, context?: LambdaTime): Promise<ScanTargetOutput> {
    const input = parseInput(ScanTargetInputSchema, event, 'scan-target input');
    const { scanId } = input;
    const target: Target = input.cluster ? clusterTarget(parseClusterRef(input.cluster)) : input.target;
    logger.appendKeys({ scanId, provider: target.provider, accountId: target.accountId, region: target.region });
    const resultKey = scanKeys.result(scanId, target);

    const existing = await deps.objects.get(resultKey);
    if (existing !== undefined) {
      logger.info('Target result exists; returning it', { resultKey });
      return outputOf(JSON.parse(existing) as StoredTargetResult, resultKey, true);
    }

    const started = deps.clock();
    const targetConfig = configForTarget(config, target);
    // A collector per invocation: it caches AssumeRole results and failures for one scan, and a
    // warm container must not carry a denial (or credentials) from one scan into the next.
    const collector = deps.collectorFor(target.provider, targetConfig);
    // The function's own timeout is the deadline, less a reserve to write the result: what is not collected by then
    // becomes gaps, instead of a killed invocation that loses the whole target.
    const deadline = context?.getRemainingTimeInMillis
      ? Deadline.fromRemaining(context.getRemainingTimeInMillis(), RESULT_RESERVE_MS)
      : Deadline.after(config.collection.targetTimeoutMs);
    const result = await scanTarget(
      collector,
      target,
      // checks.disabled is honoured here as in the CLI; a disabled check's open findings go stale, never resolved.
      selectChecks(deps.checks, undefined, [{ patterns: config.checks.disabled, source: 'checks.disabled' }]),
      { now: started, settings: config.checks },
      deadline,
    ).finally(() => deadline.dispose());
    const stored: StoredTargetResult = { scanId, target, ...result };
    await deps.objects.put(resultKey, JSON.stringify(stored));

    const out = outputOf(stored, resultKey, false);
    logger.info('Target scanned', {
      status: result.summary.status,
      clusters: result.summary.clusters,
      findings: out.findings,
      byStatus: out.byStatus,
      failBySeverity: out.failBySeverity,
      errors: out.errors,
      durationMs: deps.clock().getTime() - started.getTime(),
    });
    for (const e of result.errors) {
      logger.warn('Target error', { stage: e.stage, code: e.code, error: e.message });
    }
    metrics.addDimension('provider', target.provider);
    metrics.addMetric('ClustersScanned', MetricUnit.Count, result.summary.clusters);
    metrics.addMetric('TargetErrors', MetricUnit.Count, result.errors.length);
    return out;
  };
}

export const handler = withMiddleware(makeScanTargetHandler(defaultDeps));
