import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse } from 'aws-lambda';
import * as z from 'zod';
import { checks as registeredChecks } from '../checks/index.ts';
import {
  type AwsClusterRef,
  awsEventScope,
  ClusterEventError,
  parseClusterEvent,
  type RescanTrigger,
} from '../core/cluster-events.ts';
import { clusterIdKey } from '../core/cluster-ref.ts';
import { parseConfig } from '../core/config.ts';
import { type ScanClustersDeps, scanClusters } from '../core/rescan.ts';
import type { TargetError } from '../core/target.ts';
import { defaultCollectors } from './collectors.ts';
import { lazy } from './env.ts';
import { jsonFromEnv, parseInput } from './input.ts';
import { logger, metrics, traced, withMiddleware } from './powertools.ts';
import { METRIC } from './stack-contract.ts';

export { logger } from './powertools.ts';

/** What rescan-core's single-cluster scan answers for one cluster: scanned (and reconciled, alerted), or not. */
export interface ClusterScanOutcome {
  /** The cluster's id (EKS ARN), as in the ref asked for; compared with `clusterIdKey`. */
  id: string;
  ok: boolean;
  /** Why not: logged. A failed cluster's messages are retried and, at the end, dead-lettered. */
  error?: string;
}

/**
 * Scans the named clusters, reconciles only their findings and alerts through the notifiers (rescan-core's entry
 * point). One outcome per ref; a ref it does not answer for counts as failed, never as scanned.
 */
export type ScanClusters = (refs: AwsClusterRef[]) => Promise<{ clusters: ClusterScanOutcome[] }>;

/**
 * Starts a scan of every cluster of these accounts (an IAM trust changed): the scan workflow with
 * `{ providers: ['aws'], accounts }`, admitted by plan like any scan, so it never runs beside an overlapping one.
 */
export type ScanAccounts = (accountIds: string[]) => Promise<void>;

export interface RescanDeps {
  scanClusters: ScanClusters;
  scanAccounts: ScanAccounts;
  /** What the scan configuration covers: an event from elsewhere is ignored, never scanned by the back door. */
  scope: ReturnType<typeof awsEventScope>;
}

/** An SQS batch, as the event source mapping delivers it (only what the handler reads). */
const SqsBatchSchema = z.looseObject({
  Records: z.array(z.looseObject({ messageId: z.string().min(1), body: z.string() })),
});

/** What one message asked for, or why it cannot be mapped. */
type Parsed = { messageId: string; trigger: RescanTrigger } | { messageId: string; error: ClusterEventError };

function parseMessage(messageId: string, body: string): Parsed {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return { messageId, error: new ClusterEventError('body', 'the message body is not JSON') };
  }
  try {
    return { messageId, trigger: parseClusterEvent(event) };
  } catch (e) {
    if (e instanceof ClusterEventError) return { messageId, error: e };
    throw e;
  }
}

/**
 * The rescan function: an SQS batch of CloudTrail events (EventBridge, from the member accounts' rules) becomes one
 * scan of each cluster they name (deduplicated: a burst of changes to one cluster costs one scan) and one account
 * scan per account whose IAM trust changed. Partial batch failure: a message is reported failed when its event
 * cannot be mapped or a cluster or account it names was not scanned; SQS retries it and, after the queue's
 * maxReceiveCount, moves it to the dead-letter queue (alarmed). Nothing is dropped silently: an unmappable event is
 * logged with the field, counted, and dead-lettered; an ignored one (failed call, out of scope) is logged and counted.
 */
export function makeRescanHandler(deps: RescanDeps) {
  return async function rescanHandler(event: unknown): Promise<SQSBatchResponse> {
    const { Records } = parseInput(SqsBatchSchema, event, 'SQS batch');
    const parsed = Records.map((r) => parseMessage(r.messageId, r.body));
    const failed = new Set<string>();
    const clusters = new Map<string, { ref: AwsClusterRef; messages: string[] }>();
    const accounts = new Map<string, string[]>();
    let ignored = 0;

    for (const p of parsed) {
      if ('error' in p) {
        failed.add(p.messageId);
        logger.error('Event cannot be mapped to a rescan', {
          messageId: p.messageId,
          field: p.error.field,
          error: p.error.message,
        });
        continue;
      }
      const t = p.trigger;
      const keys = { messageId: p.messageId, eventName: t.eventName, eventId: t.eventId };
      if (t.kind === 'ignored') {
        ignored++;
        logger.info('Event ignored', { ...keys, reason: t.reason });
      } else if (t.kind === 'cluster') {
        if (!deps.scope.cluster(t.ref)) {
          ignored++;
          logger.info('Event ignored: cluster outside the scan configuration', { ...keys, cluster: t.ref.id });
          continue;
        }
        const key = clusterIdKey(t.ref.id);
        const entry = clusters.get(key) ?? { ref: t.ref, messages: [] };
        entry.messages.push(p.messageId);
        clusters.set(key, entry);
      } else if (!deps.scope.account(t.accountId)) {
        ignored++;
        logger.info('Event ignored: account outside the scan configuration', { ...keys, accountId: t.accountId });
      } else {
        accounts.set(t.accountId, [...(accounts.get(t.accountId) ?? []), p.messageId]);
        logger.info('IAM trust changed: the account is scanned', { ...keys, accountId: t.accountId, role: t.roleName });
      }
    }

    const failAll = (messages: Iterable<string>) => {
      for (const m of messages) failed.add(m);
    };
    let clusterFailures = 0;
    if (clusters.size > 0) {
      const refs = [...clusters.values()].map((c) => c.ref);
      try {
        const { clusters: outcomes } = await deps.scanClusters(refs);
        const byKey = new Map(outcomes.map((o) => [clusterIdKey(o.id), o]));
        for (const [key, { ref, messages }] of clusters) {
          const outcome = byKey.get(key);
          if (outcome?.ok) continue;
          clusterFailures++;
          failAll(messages);
          logger.error('Cluster not rescanned', { cluster: ref.id, error: outcome?.error ?? 'no outcome reported' });
        }
      } catch (e) {
        clusterFailures = clusters.size;
        failAll([...clusters.values()].flatMap((c) => c.messages));
        logger.error('Rescan failed', e instanceof Error ? e : String(e));
      }
    }
    // One start per account, so one refused start does not fail the others' messages.
    const starts = await Promise.allSettled([...accounts.keys()].map((a) => deps.scanAccounts([a])));
    [...accounts.entries()].forEach(([accountId, messages], i) => {
      const r = starts[i]!;
      if (r.status === 'rejected') {
        failAll(messages);
        logger.error('Account scan not started', {
          accountId,
          error: r.reason instanceof Error ? r.reason.message : String(r.reason),
        });
      }
    });

    const invalid = parsed.filter((p) => 'error' in p).length;
    metrics.addMetric(METRIC.rescanEvents, MetricUnit.Count, Records.length);
    metrics.addMetric(METRIC.rescanInvalidEvents, MetricUnit.Count, invalid);
    metrics.addMetric(METRIC.rescanIgnoredEvents, MetricUnit.Count, ignored);
    metrics.addMetric(METRIC.rescanClusters, MetricUnit.Count, clusters.size);
    metrics.addMetric(METRIC.rescanFailedClusters, MetricUnit.Count, clusterFailures);
    logger.info('Rescan batch done', {
      messages: Records.length,
      clusters: clusters.size,
      accounts: accounts.size,
      ignored,
      invalid,
      failedMessages: failed.size,
    });
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * The single-cluster scan (core/rescan.ts) as the handler needs it: one outcome per ref. A ref is failed when the scan
 * reported an error for that cluster, or for its whole account or region (AssumeRole denied, region unreachable);
 * a cluster the cloud says is gone is scanned (its findings resolve), like any other.
 */
export function clusterRescanner(deps: () => ScanClustersDeps | Promise<ScanClustersDeps>): ScanClusters {
  return async (refs) => {
    const { report, failures } = await scanClusters(refs, await deps());
    for (const f of failures) logger.warn('rescan sink failed', { sink: f.sink, error: f.error });
    const errorFor = (ref: AwsClusterRef): TargetError | undefined =>
      report.errors.find((e) =>
        e.clusterId
          ? clusterIdKey(e.clusterId) === clusterIdKey(ref.id)
          : e.accountId === ref.accountId && (e.region === '*' || e.region === ref.region),
      );
    return {
      clusters: refs.map((ref) => {
        const e = errorFor(ref);
        return e ? { id: ref.id, ok: false, error: `${e.stage}: ${e.code}: ${e.message}` } : { id: ref.id, ok: true };
      }),
    };
  };
}

const envSfn = lazy(() => traced(new SFNClient({})));
const envScope = lazy(() => awsEventScope(envConfig()));

const envConfig = lazy(() => jsonFromEnv(process.env, 'KUBEPOSTURE_CONFIG', parseConfig));

export const defaultDeps: RescanDeps = {
  // State and alerts as finalize has them; no report archive (a rescan's delta is what people need, and it must not
  // move the latest full report).
  // The publisher (Security Hub, SNS, Slack, DynamoDB) is imported on the first rescan, not at cold start: it keeps
  // this function within the AWS bundle budget (stacks/bundling.ts).
  scanClusters: clusterRescanner(async () => {
    const { envNotifiers, envStateStore } = await import('./publisher.ts');
    return {
      collectors: [defaultCollectors('aws', envConfig())],
      checks: registeredChecks,
      config: envConfig(),
      state: envStateStore(),
      notifiers: envNotifiers(),
    };
  }),
  async scanAccounts(accountIds) {
    const stateMachineArn = process.env.KUBEPOSTURE_STATE_MACHINE_ARN;
    if (!stateMachineArn) throw new Error('KUBEPOSTURE_STATE_MACHINE_ARN is not set');
    // Plan admits it (trigger manual, a scope of its own): skipped, not doubled, when an overlapping scan runs.
    const input = { trigger: 'manual', filter: { providers: ['aws'], accounts: accountIds } };
    await envSfn().send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  },
  get scope() {
    return envScope();
  },
};

export const handler = withMiddleware(makeRescanHandler(defaultDeps));
