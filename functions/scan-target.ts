import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { checks as registeredChecks } from '../checks/index.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import type { AnyCheck } from '../core/check.ts';
import { AwsConfigSchema, parseConfig, type ScanConfig } from '../core/config.ts';
import { summarize } from '../core/report.ts';
import { scanTarget, type TargetResult } from '../core/scan.ts';
import type { Collector, Target } from '../core/target.ts';
import { InvalidInputError, jsonFromEnv, parseInput } from './input.ts';

export const logger = new Logger({ serviceName: 'kubeposture' });

// The account and region rules are the configuration's own, so the two can never disagree.
const ACCOUNT_ID = AwsConfigSchema.shape.accounts.unwrap().element.shape.id;
const REGION = AwsConfigSchema.shape.regions.unwrap().element;

export const ScanTargetInputSchema = z
  .object({
    /** Names the scan this target belongs to; used in logs and, later, in result keys. */
    scanId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'up to 128 letters, digits, dot, dash or underscore'),
    target: z.object({ provider: z.literal('aws'), accountId: ACCOUNT_ID, region: REGION }).strict(),
  })
  .strict();

export type ScanTargetInput = z.infer<typeof ScanTargetInputSchema>;

/** What one invocation returns: the target's TargetResult, labelled with the scan and target. */
export interface ScanTargetOutput extends TargetResult {
  scanId: string;
  target: Target;
}

export interface ScanTargetDeps {
  /** Builds the collector for one invocation (one scan of one target). */
  collectorFor(config: ScanConfig): Collector;
  checks: readonly AnyCheck[];
  config: ScanConfig;
  clock: () => Date;
}

/** `KUBEPOSTURE_CONFIG` (JSON, optional) validated with the CLI's schema; errors name the field. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ScanConfig {
  return jsonFromEnv(env, 'KUBEPOSTURE_CONFIG', parseConfig);
}

let envConfig: ScanConfig | undefined;

/** Production wiring. Built once per container; `config` reads the environment on first use. */
export const defaultDeps: ScanTargetDeps = {
  collectorFor: (config) => createAwsCollector(config),
  checks: registeredChecks,
  get config() {
    envConfig ??= configFromEnv();
    return envConfig;
  },
  clock: () => new Date(),
};

/**
 * The business function: validate the event, collect and evaluate one target with the same
 * `scanTarget` the CLI runs, and return its result. The configuration is read and validated
 * here, once, when the handler is built (cold start), so a bad one fails the init, readably.
 *
 * Collection failures never throw: they come back in `errors`, with no PASS for what was not
 * seen. Only an invalid event throws (InvalidInputError, naming the field).
 */
export function makeScanTargetHandler(deps: ScanTargetDeps) {
  const config = deps.config;
  return async function scanTargetHandler(event: unknown): Promise<ScanTargetOutput> {
    const input = parseInput(ScanTargetInputSchema, event, 'scan-target input');
    const { scanId, target } = input;
    logger.appendKeys({ scanId, accountId: target.accountId, region: target.region });

    const started = deps.clock();
    // A collector per invocation: it caches AssumeRole results and failures for one scan, and a
    // warm container must not carry a denial (or credentials) from one scan into the next.
    const collector = deps.collectorFor(config);
    const result = await scanTarget(collector, target, deps.checks, { now: started, settings: config.checks });

    const { byStatus, failBySeverity } = summarize(result.findings, [result.summary]);
    logger.info('Target scanned', {
      status: result.summary.status,
      clusters: result.summary.clusters,
      findings: result.findings.length,
      byStatus,
      failBySeverity,
      errors: result.errors.length,
      durationMs: deps.clock().getTime() - started.getTime(),
    });
    for (const e of result.errors) {
      logger.warn('Target error', { stage: e.stage, code: e.code, error: e.message });
    }
    return { scanId, target, ...result };
  };
}

/** Logs a failed invocation once, by name and message (the event is not logged: it is the caller's). */
const logFailure = {
  onError: (request: { error?: unknown }) => {
    const e = request.error;
    if (e instanceof InvalidInputError) logger.warn('Rejected invalid input', { issues: e.issues });
    else logger.error('Invocation failed', e instanceof Error ? e : String(e));
  },
};

/** The middleware every scan-target handler runs in; tests wrap handlers built on their own deps. */
export function withMiddleware(fn: ReturnType<typeof makeScanTargetHandler>) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logFailure);
}

export const handler = withMiddleware(makeScanTargetHandler(defaultDeps));
