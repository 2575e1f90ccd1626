import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ScanSummary } from '../core/report.ts';
import type { ScanFilter } from './scan-request.ts';

/**
 * SKIPPED: a scheduled (or hand-started) scan that found another run active over an overlapping scope when it was
 * planned; it scanned nothing and names that run in `blockedBy`. Final, like SUCCEEDED and FAILED.
 */
export const SCAN_RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED'] as const;
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
  /** SKIPPED only: the active run whose overlapping scope kept this scan from starting. */
  blockedBy?: string;
}

/**
 * How long a run may stay QUEUED or RUNNING before it stops counting as running: the workflow's own timeout
 * (6 h, `stacks/constructs/scan-workflow.ts`) plus a margin. An execution that times out runs no Catch, so its run
 * is never marked FAILED; past this age it cannot still be scanning and no longer blocks another scan.
 */
export const SCAN_RUN_MAX_AGE_MS = (6 * 60 + 15) * 60_000;

/** When a run was started, or else asked for, or else the time its id carries (`20260601T120000Z-…`). */
export function runTime(run: ScanRun): Date | undefined {
  for (const t of [run.startedAt, run.requestedAt]) {
    const ms = t ? Date.parse(t) : Number.NaN;
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(run.scanId);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** QUEUED or RUNNING, and younger than SCAN_RUN_MAX_AGE_MS (a run of unknown age does not block). */
export function isActive(run: ScanRun, now: Date, maxAgeMs = SCAN_RUN_MAX_AGE_MS): boolean {
  if (run.status !== 'QUEUED' && run.status !== 'RUNNING') return false;
  const t = runTime(run);
  return t !== undefined && now.getTime() - t.getTime() < maxAgeMs;
}

/** Scan ids start with their time, so `sk >= idStamp(t)` reads only runs from `t` on. */
function idStamp(t: Date): string {
  return t
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Another admission held the lease for longer than a request should wait: the client may retry at once. */
export class ScanAdmissionBusyError extends Error {
  override name = 'ScanAdmissionBusyError';
}

export interface AdmitOptions {
  now: Date;
  /** Whether an active run blocks this one (their scopes overlap). */
  blocks(active: ScanRun): boolean;
  maxAgeMs?: number;
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
  /**
   * Records `run` (QUEUED) unless an active run blocks it, and then answers that run instead. Admissions are
   * serialized, so two overlapping requests at the same moment cannot both be admitted.
   */
  admit(run: ScanRun, options: AdmitOptions): Promise<{ conflict?: ScanRun }>;
}

/**
 * The item keys, shared with the finding state items of the same table (`pk`/`sk`, issue #6):
 * `pk = RUN`, `sk = <scanId>`. Scan ids sort by time, so a Query on `RUN` lists runs in order.
 * The state machine's failure path writes the same keys (stacks/constructs/scan-workflow.ts).
 */
export const SCAN_RUN_PK = 'RUN';

/**
 * The admission lease (`pk = LOCK`, `sk = scan-admission`): held for the few milliseconds between reading the active
 * runs and recording a new one. Its expiry frees it when a holder died (a Lambda that timed out holding it).
 */
const LEASE_KEY = { pk: 'LOCK', sk: 'scan-admission' };
const LEASE_MS = 10_000;
/** About 3 s of waiting with jitter, well inside API Gateway's 29 s. */
const LEASE_ATTEMPTS = 40;

export function createDynamoScanRuns(deps: { client: DynamoDBClient; tableName: string }): ScanRuns {
  const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
  const TableName = deps.tableName;
  const key = (scanId: string) => ({ pk: SCAN_RUN_PK, sk: scanId });
  const store: ScanRuns = {
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
    async admit(run, options) {
      const maxAgeMs = options.maxAgeMs ?? SCAN_RUN_MAX_AGE_MS;
      const owner = randomUUID();
      await acquireLease(owner);
      try {
        const active = await activeRuns(new Date(options.now.getTime() - maxAgeMs));
        const conflict = active.find(
          (r) => r.scanId !== run.scanId && isActive(r, options.now, maxAgeMs) && options.blocks(r),
        );
        if (conflict) return { conflict };
        await store.create(run);
        return {};
      } finally {
        await releaseLease(owner);
      }
    },
  };
  return store;

  async function acquireLease(owner: string): Promise<void> {
    for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt++) {
      const now = Date.now();
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...LEASE_KEY, owner, leaseUntil: now + LEASE_MS, expiresAt: Math.ceil(now / 1000) + 3600 },
            ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return;
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
        await new Promise((r) => setTimeout(r, 40 + Math.random() * 80));
      }
    }
    throw new ScanAdmissionBusyError('Another scan request is being admitted; retry');
  }

  async function releaseLease(owner: string): Promise<void> {
    try {
      await doc.send(
        new DeleteCommand({
          TableName,
          Key: LEASE_KEY,
          ConditionExpression: '#o = :owner',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (e) {
      // Taken over after expiry: it is no longer ours to delete.
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** QUEUED and RUNNING runs whose ids sort from `since` on (ids that are not times sort after and are read too). */
  async function activeRuns(since: Date): Promise<ScanRun[]> {
    const out: ScanRun[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          FilterExpression: '#s IN (:queued, :running)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':pk': SCAN_RUN_PK,
            ':since': idStamp(since),
            ':queued': 'QUEUED',
            ':running': 'RUNNING',
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(withoutKeys(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

function withoutKeys(item: Record<string, unknown>): ScanRun {
  const { pk: _pk, sk: _sk, ...run } = item;
  return run as unknown as ScanRun;
}

export function memoryScanRuns(): ScanRuns & { runs: Map<string, ScanRun> } {
  const runs = new Map<string, ScanRun>();
  // Admissions one at a time, as the DynamoDB lease makes them.
  let admitting: Promise<unknown> = Promise.resolve();
  const store: ScanRuns & { runs: Map<string, ScanRun> } = {
    runs,
    admit(run, options) {
      const next = admitting.then(async () => {
        const conflict = [...runs.values()].find(
          (r) => r.scanId !== run.scanId && isActive(r, options.now, options.maxAgeMs) && options.blocks(r),
        );
        if (conflict) return { conflict: structuredClone(conflict) };
        await store.create(run);
        return {};
      });
      admitting = next.catch(() => undefined);
      return next;
    },
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
  return store;
}
