import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScanSummary } from '../core/report.ts';
import type { ScanFilter } from './scan-request.ts';

export const SCAN_RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type ScanRunStatus = (typeof SCAN_RUN_STATUSES)[number];

/**
 * One serverless scan as the API shows it, from request to report. Lives beside the finding
 * state (issue #6's table) as its own item type, so `GET /scans/{id}` is one read.
 */
export interface ScanRun {
  scanId: string;
  status: ScanRunStatus;
  /** schedule, api, manual. */
  trigger: string;
  filter?: ScanFilter;
  /** When the scan was asked for (API) or started (schedule). */
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The Step Functions execution ARN, for operators. */
  executionId?: string;
  /** Targets planned. */
  targets?: number;
  summary?: ScanSummary & { errors: number };
  /** Where the report is, in the results bucket. */
  reportKey?: string;
  /** FAILED only: the state that failed and the error name, never a message (it may carry internals). */
  failure?: { state?: string; error: string };
}

/** The port the functions use; the DynamoDB table in production, a Map in tests. */
export interface ScanRuns {
  /** Records a new run; false when the id exists already (a retried request). */
  create(run: ScanRun): Promise<boolean>;
  /** Sets the given fields, creating the item when the run started without the API (schedule). */
  update(scanId: string, fields: Partial<Omit<ScanRun, 'scanId'>>): Promise<void>;
  get(scanId: string): Promise<ScanRun | undefined>;
  /**
   * The newest full scan that finished (SUCCEEDED, no filter); scan ids sort by time. A filtered
   * on-demand scan saw part of the fleet, so it never stands for the current posture.
   */
  latestFullScan(): Promise<ScanRun | undefined>;
}

/**
 * The item keys, shared with the finding state items of the same table (`pk`/`sk`, issue #6):
 * `pk = RUN`, `sk = <scanId>`. Scan ids sort by time, so a Query on `RUN` lists runs in order.
 * The state machine's failure path writes the same keys (stacks/constructs/scan-workflow.ts).
 */
export const SCAN_RUN_PK = 'RUN';

export function createDynamoScanRuns(deps: { client: DynamoDBClient; tableName: string }): ScanRuns {
  const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = deps.tableName;
  const key = (scanId: string) => ({ pk: SCAN_RUN_PK, sk: scanId });
  return {
    async create(run) {
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...key(run.scanId), ...run },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) return false;
        throw e;
      }
    },
    async update(scanId, fields) {
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return;
      await doc.send(
        new UpdateCommand({
          TableName,
          Key: key(scanId),
          UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}, #id = :id`,
          ExpressionAttributeNames: {
            ...Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
            '#id': 'scanId',
          },
          ExpressionAttributeValues: { ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])), ':id': scanId },
        }),
      );
    },
    async get(scanId) {
      const out = await doc.send(new GetCommand({ TableName, Key: key(scanId), ConsistentRead: true }));
      if (!out.Item) return undefined;
      return withoutKeys(out.Item);
    },
    async latestFullScan() {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#s = :done AND attribute_not_exists(#f)',
            ExpressionAttributeNames: { '#s': 'status', '#f': 'filter' },
            ExpressionAttributeValues: { ':pk': SCAN_RUN_PK, ':done': 'SUCCEEDED' },
            ScanIndexForward: false,
            Limit: 25,
            ExclusiveStartKey: start,
          }),
        );
        const item = page.Items?.[0];
        if (item) return withoutKeys(item);
        start = page.LastEvaluatedKey;
      } while (start);
      return undefined;
    },
  };
}

function withoutKeys(item: Record<string, unknown>): ScanRun {
  const { pk: _pk, sk: _sk, ...run } = item;
  return run as unknown as ScanRun;
}

export function memoryScanRuns(): ScanRuns & { runs: Map<string, ScanRun> } {
  const runs = new Map<string, ScanRun>();
  return {
    runs,
    async create(run) {
      if (runs.has(run.scanId)) return false;
      runs.set(run.scanId, structuredClone(run));
      return true;
    },
    async update(scanId, fields) {
      const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      runs.set(scanId, { ...(runs.get(scanId) ?? ({ scanId } as ScanRun)), ...structuredClone(defined) });
    },
    async get(scanId) {
      const run = runs.get(scanId);
      return run && structuredClone(run);
    },
    async latestFullScan() {
      const done = [...runs.values()].filter((r) => r.status === 'SUCCEEDED' && r.filter === undefined);
      done.sort((a, b) => b.scanId.localeCompare(a.scanId));
      return done[0] && structuredClone(done[0]);
    },
  };
}
