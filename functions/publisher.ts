import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient, type SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { checks } from '../checks/index.ts';
import { finalizeStream } from '../core/finalize.ts';
import { SEVERITIES, type Severity } from '../core/severity.ts';
import type { FindingStateStore, Notifier, ReportStore } from '../core/state.ts';
import { reportStoreFiles, streamedReportWriter } from '../publish/artifacts.ts';
import { createSnsNotifier } from '../publish/sinks/email.ts';
import { createSecurityHubSink, type FullImportRecord } from '../publish/sinks/securityhub.ts';
import { createSlackNotifier } from '../publish/sinks/slack.ts';
import { createDynamoStateStore } from '../publish/stores/dynamodb.ts';
import { createS3ReportStore } from '../publish/stores/s3.ts';
import { bucketFromEnv, envObjects, lazy, tableFromEnv } from './env.ts';
import { archiveReport, reportMaxFindings, type ScanPublisher } from './finalize.ts';
import { type ObjectStore, scanKeys } from './objects.ts';
import { logger, traced } from './powertools.ts';
import { SECURITY_HUB_IMPORT_KEY } from './stack-contract.ts';

export interface LifecyclePublisherDeps {
  state: FindingStateStore;
  reports: ReportStore;
  notifiers: readonly Notifier[];
  /** Where a filtered scan's report is archived as is. */
  objects: ObjectStore;
  clock: () => Date;
  /** Findings `report.json` (and the HTML and notifiers) get at most; default `KUBEPOSTURE_REPORT_MAX_FINDINGS`. */
  maxFindings?: number;
}

/**
 * The reconcile and publish stages of the serverless path, streamed (`finalizeStream`, with the CLI's reconcile):
 * finding state in DynamoDB, the report files in S3 (every finding in `report.findings.jsonl`, OCSF, and the
 * bounded `report.json` and HTML), then every notifier with the bounded report.
 *
 * A filtered on-demand scan looked at part of the fleet only: reconciling it could mark resolved
 * the findings of clusters it never read. Its report is archived as it is, with no state change
 * and no alert; the next full scan carries the lifecycle.
 */
export function lifecyclePublisher(deps: LifecyclePublisherDeps): ScanPublisher {
  const maxFindings = () => deps.maxFindings ?? reportMaxFindings();
  return {
    async publish(scan, { partial }) {
      const reportKey = scanKeys.report(scan.scan.id);
      if (partial) {
        const archived = await archiveReport(deps.objects, scan, maxFindings());
        logger.info('Filtered scan: report archived without reconciling state or notifying');
        return archived;
      }
      const result = await finalizeStream(scan, {
        state: deps.state,
        writer: (header) =>
          // A cluster scan's report is archived and linked, but the fleet's latest report stays the last full one.
          streamedReportWriter(
            reportStoreFiles(deps.reports, scan.scan.id, { latest: !scan.scan.clusters }),
            header,
            checks,
            {
              html: true,
              ocsf: true,
            },
          ),
        notifiers: deps.notifiers,
        now: deps.clock(),
        maxFindings: maxFindings(),
      });
      for (const f of result.failures) logger.warn('A publishing sink failed; the others ran', f);
      logger.info('Scan reconciled', { delta: result.delta?.counts, stateWrites: result.changed });
      return {
        reportKey,
        report: result.report,
        ...(result.delta ? { delta: result.delta.counts } : {}),
        failedSinks: result.failures.map((f) => f.sink),
      };
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

/**
 * The Security Hub client finalize imports with. BatchImportFindings allows 10 calls per second (burst 30) per
 * account and region; the sink paces itself under that, and throttling that still happens (another importer in
 * the account) is retried by the SDK's standard strategy, with more attempts than the default three.
 */
export function securityHubClient(config: SecurityHubClientConfig = {}): SecurityHubClient {
  return new SecurityHubClient({ maxAttempts: 8, retryMode: 'standard', ...config });
}

/** The full-import record in the results bucket: `{ "lastFullImport": "<ISO time of the scan>" }`. */
export function objectFullImportRecord(objects: () => ObjectStore): FullImportRecord {
  return {
    async last() {
      const text = await objects().get(SECURITY_HUB_IMPORT_KEY);
      if (text === undefined) return undefined;
      try {
        const value = (JSON.parse(text) as { lastFullImport?: unknown }).lastFullImport;
        return typeof value === 'string' ? value : undefined;
      } catch {
        return undefined; // unreadable: import everything again, which repairs it
      }
    },
    async done(at) {
      await objects().put(SECURITY_HUB_IMPORT_KEY, JSON.stringify({ lastFullImport: at }));
    },
  };
}

/** Clients the notifiers use; tests pass ones pointed at a local endpoint with fake credentials. */
export interface NotifierClients {
  secretsManager: Pick<SecretsManagerClient, 'send'>;
  sns: Pick<SNSClient, 'send'>;
  securityHub: Pick<SecurityHubClient, 'send'>;
  /** Where the Security Hub full-import record lives (the results bucket). */
  objects: ObjectStore;
}

/**
 * Notifiers the stack configured through the environment: Slack when its secret exists, the alerts topic,
 * Security Hub when `KUBEPOSTURE_SECURITYHUB_ACCOUNT` is set (the security account: BatchImportFindings
 * accepts only findings stamped with the calling account).
 */
export function notifiersFromEnv(
  env: Record<string, string | undefined> = process.env,
  clients: Partial<NotifierClients> = {},
): Notifier[] {
  const minSeverity = alertSeverity(env);
  const out: Notifier[] = [];
  if (env.KUBEPOSTURE_SLACK_SECRET_ARN) {
    out.push(
      createSlackNotifier({
        webhook: {
          secretId: env.KUBEPOSTURE_SLACK_SECRET_ARN,
          client: (clients.secretsManager ?? traced(new SecretsManagerClient({}))) as SecretsManagerClient,
        },
        minSeverity,
      }),
    );
  }
  if (env.KUBEPOSTURE_ALERTS_TOPIC_ARN) {
    out.push(
      createSnsNotifier({
        client: (clients.sns ?? traced(new SNSClient({}))) as SNSClient,
        topicArn: env.KUBEPOSTURE_ALERTS_TOPIC_ARN,
        minSeverity,
      }),
    );
  }
  const securityHubAccount = env.KUBEPOSTURE_SECURITYHUB_ACCOUNT;
  if (securityHubAccount !== undefined) {
    if (!/^\d{12}$/.test(securityHubAccount)) {
      throw new Error('KUBEPOSTURE_SECURITYHUB_ACCOUNT must be a 12-digit AWS account id');
    }
    const region = env.AWS_REGION;
    out.push(
      createSecurityHubSink({
        client: clients.securityHub ?? traced(securityHubClient()),
        fullImports: objectFullImportRecord(() => clients.objects ?? envObjects()),
        catalogue: checks,
        accountId: securityHubAccount,
        ...(region ? { region } : {}),
      }),
    );
  }
  return out;
}

/** Production stores for finalize, built on first use and kept for the container's life. */
export const envStateStore = lazy(() =>
  createDynamoStateStore({ client: traced(new DynamoDBClient({})), tableName: tableFromEnv() }),
);
export const envReportStore = lazy(() =>
  createS3ReportStore({ client: traced(new S3Client({})), bucket: bucketFromEnv() }),
);
export const envNotifiers = lazy(() => notifiersFromEnv());
