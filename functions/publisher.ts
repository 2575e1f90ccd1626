import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { checks } from '../checks/index.ts';
import { finalizeScan } from '../core/finalize.ts';
import type { ScanReport } from '../core/report.ts';
import { SEVERITIES, type Severity } from '../core/severity.ts';
import type { FindingStateStore, Notifier, ReportStore } from '../core/state.ts';
import { reportArtifacts } from '../publish/artifacts.ts';
import { createSnsNotifier } from '../publish/sinks/email.ts';
import { createSlackNotifier } from '../publish/sinks/slack.ts';
import { createDynamoStateStore } from '../publish/stores/dynamodb.ts';
import { createS3ReportStore } from '../publish/stores/s3.ts';
import { bucketFromEnv, lazy, tableFromEnv } from './env.ts';
import type { ScanPublisher } from './finalize.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import { logger } from './powertools.ts';

export interface LifecyclePublisherDeps {
  state: FindingStateStore;
  reports: ReportStore;
  notifiers: readonly Notifier[];
  /** Where a filtered scan's report is archived as is. */
  objects: ObjectStore;
  clock: () => Date;
}

/**
 * The reconcile and publish stages of the serverless path, with the CLI's own `finalizeScan`:
 * finding state in DynamoDB, the reconciled report (JSON, OCSF, HTML) in S3, then every notifier.
 *
 * A filtered on-demand scan looked at part of the fleet only: reconciling it could mark resolved
 * the findings of clusters it never read. Its report is archived as it is, with no state change
 * and no alert; the next full scan carries the lifecycle.
 */
export function lifecyclePublisher(deps: LifecyclePublisherDeps): ScanPublisher {
  return {
    async publish(report: ScanReport, { partial }) {
      const reportKey = scanKeys.report(report.scan.id);
      if (partial) {
        await deps.objects.put(reportKey, JSON.stringify(report));
        logger.info('Filtered scan: report archived without reconciling state or notifying');
        return { reportKey };
      }
      const result = await finalizeScan(report, {
        state: deps.state,
        reports: deps.reports,
        artifacts: (r) => reportArtifacts(r, checks),
        notifiers: deps.notifiers,
        now: deps.clock(),
      });
      for (const f of result.failures) logger.warn('A publishing sink failed; the others ran', f);
      logger.info('Scan reconciled', { delta: result.report.delta });
      return { reportKey };
    },
  };
}

function alertSeverity(env: Record<string, string | undefined>): Severity {
  const value = env.KUBEPOSTURE_ALERT_SEVERITY ?? 'high';
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new Error(`KUBEPOSTURE_ALERT_SEVERITY must be one of ${SEVERITIES.join(', ')}`);
  }
  return value as Severity;
}

/** Notifiers the stack configured through the environment: Slack when its secret exists, the alerts topic. */
export function notifiersFromEnv(env: Record<string, string | undefined> = process.env): Notifier[] {
  const minSeverity = alertSeverity(env);
  const out: Notifier[] = [];
  if (env.KUBEPOSTURE_SLACK_SECRET_ARN) {
    out.push(
      createSlackNotifier({
        webhook: { secretId: env.KUBEPOSTURE_SLACK_SECRET_ARN, client: new SecretsManagerClient({}) },
        minSeverity,
      }),
    );
  }
  if (env.KUBEPOSTURE_ALERTS_TOPIC_ARN) {
    out.push(createSnsNotifier({ client: new SNSClient({}), topicArn: env.KUBEPOSTURE_ALERTS_TOPIC_ARN, minSeverity }));
  }
  return out;
}

/** Production stores for finalize, built on first use and kept for the container's life. */
export const envStateStore = lazy(() =>
  createDynamoStateStore({ client: new DynamoDBClient({}), tableName: tableFromEnv() }),
);
export const envReportStore = lazy(() => createS3ReportStore({ client: new S3Client({}), bucket: bucketFromEnv() }));
export const envNotifiers = lazy(() => notifiersFromEnv());
