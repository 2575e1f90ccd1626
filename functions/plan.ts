import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DescribeOrganizationCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import * as z from 'zod';
import { organizationsClient } from '../collectors/aws/clients.ts';
import { classifyAwsError, describeAwsError } from '../collectors/aws/errors.ts';
import { listOrganizationAccounts, type OrganizationAccount, selectAccounts } from '../collectors/aws/organizations.ts';
import { checkResponse } from '../collectors/common/response.ts';
import { parseClusterRef } from '../core/cluster-ref.ts';
import type { ScanConfig } from '../core/config.ts';
import type { ScanNote } from '../core/report.ts';
import { newScanId, planTargets, uniqueClusters } from '../core/scan.ts';
import { clusterTarget, type Target, type TargetError } from '../core/target.ts';
import { type CollectorFactory, configuredProviders, defaultCollectors } from './collectors.ts';
import { envObjects, envRuns, lazy } from './env.ts';
import { parseInput } from './input.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import { logger, metrics, traced, withMiddleware } from './powertools.ts';
import { inFilter, SCAN_ID, type ScanFilter, ScanFilterSchema, scopesOverlap } from './scan-request.ts';
import type { ScanRun, ScanRuns } from './scan-runs.ts';
import { configFromEnv, type ScanTargetItem } from './scan-target.ts';
import { METRIC } from './stack-contract.ts';

/** The state machine's input: from the schedule (`{ trigger: 'schedule' }`) or the API (with a scan id). */
export const PlanInputSchema = z
  .object({
    /** Given by the API (it answered the client with it); generated here for scheduled scans. */
    scanId: SCAN_ID.optional(),
    trigger: z.enum(['schedule', 'api', 'manual']).default('manual'),
    filter: ScanFilterSchema.optional(),
    /** `$$.Execution.Id`, recorded for operators. */
    executionId: z.string().max(2048).optional(),
  })
  .strict();

/**
 * The state machine passes `{ request: <execution input>, executionId: $$.Execution.Id }` (the
 * input's optional fields cannot be picked one by one in JSONPath); callers may also pass the input itself.
 */
function unwrapExecution(event: unknown): unknown {
  if (event && typeof event === 'object' && 'request' in event) {
    const { request, executionId } = event as { request: unknown; executionId?: unknown };
    return request && typeof request === 'object' ? { ...request, executionId } : request;
  }
  return event;
}

/** What the plan writes to S3 beside the item list; finalize reads it back. */
export interface StoredPlan {
  scanId: string;
  trigger: string;
  startedAt: string;
  filter?: ScanFilter;
  targets: Target[];
  /** Accounts, subscriptions or whole clouds that could not be planned. */
  errors: TargetError[];
  /** What was left out on purpose (the management account), carried into the report. */
  notes?: ScanNote[];
  /** A cluster scan: the clusters it names (canonical ids); finalize reconciles only them. */
  clusters?: string[];
}

/** Small, for the state machine: the Distributed Map reads `itemsKey` from the results bucket. */
export interface PlanOutput {
  scanId: string;
  trigger: string;
  startedAt: string;
  targets: number;
  errors: number;
  itemsKey: string;
  planKey: string;
}

/**
 * A scan that was not started: another run was active over an overlapping scope. The state machine sees
 * `skipped` and ends successfully without scanning (an expected outcome, not a failed execution).
 */
export interface SkippedPlanOutput {
  scanId: string;
  trigger: string;
  skipped: { blockedBy: string };
}

export type PlanResult = PlanOutput | SkippedPlanOutput;

export function isSkippedPlan(out: PlanResult): out is SkippedPlanOutput {
  return 'skipped' in out;
}

export interface PlanDeps {
  collectorFor: CollectorFactory;
  config: ScanConfig;
  /** The organization's accounts (Organizations ListAccounts), when `aws.organization` is configured. */
  organizationAccounts(config: ScanConfig): Promise<OrganizationAccount[]>;
  /**
   * The organization's management account (Organizations DescribeOrganization), when `aws.organization` is
   * configured. Absent: nothing is excluded (tests that do not model the organization).
   */
  managementAccount?(config: ScanConfig): Promise<string>;
  objects: ObjectStore;
  runs: ScanRuns;
  clock: () => Date;
}

const envConfig = lazy(() => configFromEnv());

const OrganizationSchema = z.object({
  Organization: z.object({ MasterAccountId: z.string().regex(/^\d{12}$/) }),
});

/**
 * The management account's id, from DescribeOrganization (any member account may call it). Validated:
 * an answer without it must not silently leave the management account in or out.
 */
export async function describeManagementAccount(client: Pick<OrganizationsClient, 'send'>): Promise<string> {
  const out = await client.send(new DescribeOrganizationCommand({}));
  return checkResponse('organizations:DescribeOrganization', OrganizationSchema, out).Organization.MasterAccountId;
}

const envOrganizations = (config: ScanConfig) =>
  traced(
    organizationsClient('us-east-1', undefined, {
      maxAttempts: config.aws.maxAttempts,
      retryBaseDelayMs: config.aws.retryBaseDelayMs,
    }),
  );

export const defaultDeps: PlanDeps = {
  collectorFor: defaultCollectors,
  get config() {
    return envConfig();
  },
  organizationAccounts: (config) => listOrganizationAccounts(envOrganizations(config)),
  managementAccount: (config) => describeManagementAccount(envOrganizations(config)),
  get objects() {
    return envObjects();
  },
  get runs() {
    return envRuns();
  },
  clock: () => new Date(),
};

/**
 * The AWS accounts of this scan: the organization's active members (include/exclude applied) or
 * the configured list, narrowed by the filter before any AssumeRole, so a filtered scan touches
 * only the accounts it names. Per-account role names and external ids from `aws.accounts` apply.
 */
async function awsConfigFor(
  config: ScanConfig,
  deps: PlanDeps,
  filter: ScanFilter | undefined,
): Promise<{ config?: ScanConfig; error?: TargetError; notes: ScanNote[] }> {
  const aws = config.aws;
  const notes: ScanNote[] = [];
  let ids: string[] | undefined = aws.accounts?.map((a) => a.id);
  if (aws.organization) {
    try {
      ids = selectAccounts(await deps.organizationAccounts(config), aws.organization);
      const management = await managementAccountNote(config, deps, ids);
      if (management?.skip) ids = ids.filter((id) => id !== management.skip);
      if (management?.note) notes.push(management.note);
    } catch (e) {
      return {
        error: {
          provider: 'aws',
          accountId: '*',
          region: '*',
          stage: 'list-accounts',
          code: classifyAwsError(e),
          message: `Cannot list the organization's accounts: ${describeAwsError(e)}`,
        },
        notes,
      };
    }
  }
  if (ids && filter?.accounts) ids = ids.filter((id) => filter.accounts!.includes(id));
  if (ids && ids.length === 0) return { notes };
  const { organization: _o, ...rest } = aws;
  const accounts = ids?.map((id) => aws.accounts?.find((a) => a.id === id) ?? { id });
  return { config: { ...config, aws: { ...rest, ...(accounts ? { accounts } : {}) } }, notes };
}

/**
 * A service-managed StackSet never deploys into the organization's management account, so it has no reader
 * role unless one was made there by hand (docs/deploy.md §4). Scanning it by default would report it failed on
 * every scan and fire the collection-errors alarm; it is left out with a note instead. Listing it in
 * `aws.accounts` (the role it has, optionally) scans it like any member.
 */
async function managementAccountNote(
  config: ScanConfig,
  deps: PlanDeps,
  selected: readonly string[],
): Promise<{ skip?: string; note?: ScanNote } | undefined> {
  if (!deps.managementAccount) return undefined;
  let id: string;
  try {
    id = await deps.managementAccount(config);
  } catch (e) {
    // Unknown: nothing is dropped. Without a role there, the management account then fails like any unreadable account.
    logger.warn('Cannot identify the management account', { error: describeAwsError(e) });
    return {
      note: {
        provider: 'aws',
        accountId: '*',
        reason:
          `The organization's management account could not be identified (organizations:DescribeOrganization: ` +
          `${describeAwsError(e)}), so it was not left out; without a reader role there it fails like any unreadable account.`,
      },
    };
  }
  if (!selected.includes(id)) return undefined;
  if (config.aws.accounts?.some((a) => a.id === id)) return undefined; // configured with a role: scanned
  return {
    skip: id,
    note: {
      provider: 'aws',
      accountId: id,
      reason:
        'Management account: not scanned. A service-managed StackSet does not deploy the reader role there; ' +
        'to scan it, create the role in it and list the account in aws.accounts (docs/deploy.md §4).',
    },
  };
}

/**
 * Lists every target of the scan once, from one function (Organizations is never called by the
 * fan-out), writes the Distributed Map's item list and the plan to S3, and records the run.
 */
export function makePlanHandler(deps: PlanDeps) {
  const config = deps.config;

  /**
   * Records the run as RUNNING, through the API's admission when nobody admitted it yet, and answers the active run
   * that blocks it instead, if any. An API scan was admitted by `POST /scans` (its QUEUED run exists under the id it
   * passes), so it only moves to RUNNING: checking it again could refuse it against itself. A scheduled or
   * hand-started scan goes through `runs.admit` with its full scope, like a request.
   */
  async function admit(
    input: z.infer<typeof PlanInputSchema>,
    scanId: string,
    now: Date,
  ): Promise<ScanRun | undefined> {
    const { filter, trigger, executionId } = input;
    const startedAt = now.toISOString();
    if (input.scanId && (await deps.runs.get(input.scanId))) {
      await deps.runs.update(scanId, { status: 'RUNNING', trigger, filter, startedAt, executionId });
      return undefined;
    }
    const run: ScanRun = {
      scanId,
      status: 'RUNNING',
      trigger,
      ...(filter ? { filter } : {}),
      requestedAt: startedAt,
      startedAt,
      ...(executionId ? { executionId } : {}),
    };
    // An earlier attempt of this same execution (Step Functions retried the task after it had recorded its run)
    // is this scan, not another one: it does not block, and is marked as replaced so it stops counting as active.
    const earlierAttempts: ScanRun[] = [];
    const { conflict } = await deps.runs.admit(run, {
      now,
      blocks: (active) => {
        if (executionId && active.executionId === executionId) {
          earlierAttempts.push(active);
          return false;
        }
        return scopesOverlap(filter, active.filter);
      },
    });
    if (conflict) return conflict;
    for (const earlier of earlierAttempts) {
      await deps.runs.update(earlier.scanId, {
        status: 'FAILED',
        finishedAt: startedAt,
        failure: { state: 'Plan', error: 'Retried' },
      });
    }
    return undefined;
  }

  /** Writes the item list and the plan, records the target count, and answers the state machine. */
  async function writePlan(stored: StoredPlan): Promise<PlanOutput> {
    const { scanId, targets, errors } = stored;
    const items: ScanTargetItem[] = targets.map(({ cluster, ...target }) => ({
      scanId,
      target,
      ...(cluster ? { cluster: cluster.id } : {}),
    }));
    await deps.objects.put(scanKeys.items(scanId), JSON.stringify(items));
    await deps.objects.put(scanKeys.plan(scanId), JSON.stringify(stored));
    await deps.runs.update(scanId, { targets: targets.length });
    logger.info('Scan planned', { targets: targets.length, errors: errors.length });
    for (const { message, ...where } of errors) logger.warn('Planning error', { ...where, error: message });
    for (const note of stored.notes ?? []) logger.info('Left out of the scan', { ...note });
    metrics.addMetric(METRIC.targetsPlanned, MetricUnit.Count, targets.length);
    metrics.addMetric(METRIC.planningErrors, MetricUnit.Count, errors.length);
    return {
      scanId,
      trigger: stored.trigger,
      startedAt: stored.startedAt,
      targets: targets.length,
      errors: errors.length,
      itemsKey: scanKeys.items(scanId),
      planKey: scanKeys.plan(scanId),
    };
  }

  /**
   * A cluster scan: one target per named cluster, no listing. A cluster of a cloud the deployment does not scan, or
   * of an AWS account outside its accounts (organization or list), is an error for that cluster, never read: an id
   * in a request must not reach beyond the fleet the scanner was deployed for.
   */
  async function planClusterScan(scanId: string, trigger: string, now: Date, ids: string[]): Promise<PlanOutput> {
    const refs = uniqueClusters(ids.map(parseClusterRef));
    const providers = configuredProviders(config);
    const targets: Target[] = [];
    const errors: TargetError[] = [];
    const refuse = (target: Target, stage: string, message: string, code: TargetError['code'] = 'Unknown') =>
      errors.push({
        provider: target.provider,
        accountId: target.accountId,
        region: target.region,
        clusterId: target.cluster!.id,
        stage,
        code,
        message,
      });
    const awsAccounts = [...new Set(refs.filter((r) => r.provider === 'aws').map((r) => r.accountId))];
    const aws = awsAccounts.length ? await awsConfigFor(config, deps, { accounts: awsAccounts }) : undefined;
    const allowed = aws?.config?.aws.accounts?.map((a) => a.id);
    for (const ref of refs) {
      const target = clusterTarget(ref);
      if (!providers.includes(ref.provider)) refuse(target, 'plan', `${ref.provider} is not configured for scanning`);
      else if (ref.provider === 'aws' && aws?.error) refuse(target, aws.error.stage, aws.error.message, aws.error.code);
      else if (ref.provider === 'aws' && (!aws?.config || (allowed && !allowed.includes(ref.accountId))))
        refuse(target, 'plan', `Account ${ref.accountId} is not among the accounts this deployment scans`);
      else targets.push(target);
    }
    return writePlan({
      scanId,
      trigger,
      startedAt: now.toISOString(),
      filter: { clusters: ids },
      targets,
      errors,
      ...(aws?.notes.length ? { notes: aws.notes } : {}),
      clusters: refs.map((r) => r.id),
    });
  }

  return async function planHandler(event: unknown): Promise<PlanResult> {
    const input = parseInput(PlanInputSchema, unwrapExecution(event), 'plan input');
    const now = deps.clock();
    const scanId = input.scanId ?? newScanId(now);
    const { filter, trigger } = input;
    logger.appendKeys({ scanId, trigger });
    const conflict = await admit(input, scanId, now);
    if (conflict) {
      // Two scans over the same targets would reconcile the same finding state concurrently: this one is not started.
      await deps.runs.update(scanId, {
        status: 'SKIPPED',
        trigger,
        filter,
        requestedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        executionId: input.executionId,
        blockedBy: conflict.scanId,
      });
      logger.warn('Scan skipped: another scan is running over an overlapping scope', {
        blockedBy: conflict.scanId,
        blockedByStatus: conflict.status,
      });
      metrics.addMetric(METRIC.scansSkipped, MetricUnit.Count, 1);
      return { scanId, trigger, skipped: { blockedBy: conflict.scanId } };
    }
    metrics.addMetric(METRIC.scansSkipped, MetricUnit.Count, 0);

    try {
      if (filter?.clusters) return await planClusterScan(scanId, trigger, now, filter.clusters);
      const errors: TargetError[] = [];
      const notes: ScanNote[] = [];
      const collectors = [];
      for (const provider of configuredProviders(config)) {
        if (filter?.providers && !filter.providers.includes(provider)) continue;
        if (provider !== 'aws') {
          collectors.push(deps.collectorFor(provider, config));
          continue;
        }
        const aws = await awsConfigFor(config, deps, filter);
        if (aws.error) errors.push(aws.error);
        notes.push(...aws.notes);
        if (aws.config) collectors.push(deps.collectorFor('aws', aws.config));
      }
      const plan = await planTargets(collectors);
      errors.push(...plan.errors);
      const targets = plan.planned.map((p) => p.target).filter((t) => inFilter(t, filter));
      const keptErrors = errors.filter((e) => inFilter(e, filter));
      const keptNotes = notes.filter((n) => inFilter({ ...n, region: '*' }, filter));

      return await writePlan({
        scanId,
        trigger,
        startedAt: now.toISOString(),
        ...(filter ? { filter } : {}),
        targets,
        errors: keptErrors,
        ...(keptNotes.length ? { notes: keptNotes } : {}),
      });
    } catch (e) {
      // A scheduled scan's id is made here, so the state machine's failure path cannot name its run (it marks
      // a requested scan's): mark it failed before failing, or it stays RUNNING for good. A retry makes a new id.
      if (!input.scanId) {
        const error = e instanceof Error ? e.name : 'Error';
        await deps.runs.update(scanId, { status: 'FAILED', failure: { state: 'Plan', error } }).catch(() => undefined);
      }
      throw e;
    }
  };
}

export const handler = withMiddleware(makePlanHandler(defaultDeps));
