import {
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { StateConflictError } from '../../core/errors.ts';
import type { FindingState } from '../../core/lifecycle.ts';
import {
  type FindingStateStore,
  parseFindingState,
  RESOLVED_RETENTION_DAYS,
  type ScanRecord,
  type StoredState,
} from '../../core/state.ts';

/**
 * One table, two item types (documented in docs/architecture.md; the CDK stack creates it from this):
 *
 * | item          | pk                 | sk       | TTL (`expiresAt`, epoch seconds)          |
 * | ------------- | ------------------ | -------- | ----------------------------------------- |
 * | finding state | `FINDING#<0-f>`    | `<id>`   | resolvedAt + 90 days; none while open     |
 * | scan record   | `SCAN`             | `<id>`   | startedAt + 400 days                      |
 *
 * Finding items are spread over 16 partitions by the first hex digit of their id, read with 16
 * parallel Queries. Every finding write is a PutItem conditioned on the version it was read at.
 */
export const STATE_TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
} as const;

/** The table definition for tests and local use; the CDK stack declares the same keys. */
export function stateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: STATE_TABLE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: STATE_TABLE_KEYS.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: STATE_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATE_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
  };
}

const SHARDS = '0123456789abcdef'.split('');
const SCAN_PK = 'SCAN';
const DAY_S = 86_400;
const SCAN_RETENTION_DAYS = 400;

export interface DynamoStateStoreDeps {
  client: DynamoDBClient;
  tableName: string;
  /** Conditional writes in flight at once. */
  concurrency?: number;
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, expiresAt: _ttl, ...rest } = item;
  return rest;
}

/** Shards read at once by `load`: enough to overlap round trips, few enough to hold few raw pages at a time. */
const LOAD_SHARDS_AT_ONCE = 4;

export function createDynamoStateStore(deps: DynamoStateStoreDeps): FindingStateStore {
  const doc = DynamoDBDocumentClient.from(deps.client, { marshallOptions: { removeUndefinedValues: true } });
  const table = deps.tableName;

  /**
   * Items of one partition, in sort-key order (or newest first), following pages up to `limit`, each page handed to
   * `onPage` as it arrives (so a caller that converts items keeps one raw page at a time, not the partition).
   */
  async function queryPages(
    pk: string,
    onPage: (items: Record<string, unknown>[]) => void,
    o: { limit?: number; newestFirst?: boolean } = {},
  ): Promise<void> {
    let read = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
          ScanIndexForward: !o.newestFirst,
          ...(o.limit ? { Limit: o.limit - read } : {}),
        }),
      );
      const items = (page.Items ?? []) as Record<string, unknown>[];
      read += items.length;
      onPage(items);
      start = page.LastEvaluatedKey;
    } while (start && (!o.limit || read < o.limit));
  }

  async function query(pk: string, o: { limit?: number; newestFirst?: boolean } = {}) {
    const items: Record<string, unknown>[] = [];
    await queryPages(pk, (page) => items.push(...page), o);
    return items;
  }

  async function newestScans(limit: number): Promise<ScanRecord[]> {
    const items = await query(SCAN_PK, { limit, newestFirst: true });
    return items.map((i) => stripKeys(i) as unknown as ScanRecord);
  }

  function findingItem(s: FindingState): Record<string, unknown> {
    const item: Record<string, unknown> = { pk: `FINDING#${s.id[0]}`, sk: s.id, ...s };
    if (s.status === 'resolved')
      item.expiresAt = epochSeconds(s.resolvedAt ?? s.lastSeen) + RESOLVED_RETENTION_DAYS * DAY_S;
    return item;
  }

  return {
    async load(): Promise<StoredState> {
      // Each page is parsed as it arrives and its raw items dropped: at 20,000 clusters the table holds ~140,000
      // records, and raw and parsed copies of all of them at once would double finalize's largest allocation.
      const findings: FindingState[] = [];
      const shardReads = pLimit(LOAD_SHARDS_AT_ONCE);
      const [, scans] = await Promise.all([
        Promise.all(
          SHARDS.map((shard) =>
            shardReads(() =>
              queryPages(`FINDING#${shard}`, (items) => {
                for (const item of items)
                  findings.push(
                    parseFindingState(
                      stripKeys(item),
                      `table ${table} item pk=${String(item.pk)} sk=${String(item.sk)}`,
                    ),
                  );
              }),
            ),
          ),
        ),
        newestScans(1),
      ]);
      findings.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { findings, lastScan: scans[0] };
    },

    async commit(changed, scan) {
      let conflict: StateConflictError | undefined;
      // A fixed set of writers pulling the next record: no promise or closure per record (140,000 at 20,000 clusters).
      let next = 0;
      const writers = Array.from({ length: Math.min(deps.concurrency ?? 16, changed.length) }, async () => {
        for (let i = next++; i < changed.length; i = next++) {
          const rec = changed[i]!;
          if (conflict) return; // stop writing once another scan is known to have moved the state
          try {
            await doc.send(
              new PutCommand({
                TableName: table,
                Item: findingItem(rec),
                ...(rec.version === 1
                  ? { ConditionExpression: 'attribute_not_exists(pk)' }
                  : {
                      ConditionExpression: '#v = :read',
                      ExpressionAttributeNames: { '#v': 'version' },
                      ExpressionAttributeValues: { ':read': rec.version - 1 },
                    }),
              }),
            );
          } catch (e) {
            if (e instanceof ConditionalCheckFailedException) {
              conflict ??= new StateConflictError(
                `Finding ${rec.id} was changed by another scan since this one read it (expected version ${rec.version - 1}); this scan's remaining writes were skipped`,
                rec.id,
                { cause: e },
              );
              return;
            }
            throw e;
          }
        }
      });
      await Promise.all(writers);
      if (conflict) throw conflict;
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: SCAN_PK,
              sk: scan.id,
              ...scan,
              expiresAt: epochSeconds(scan.startedAt) + SCAN_RETENTION_DAYS * DAY_S,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) {
          throw new StateConflictError(`Scan ${scan.id} was already recorded in table ${table}`, undefined, {
            cause: e,
          });
        }
        throw e;
      }
    },

    scans: newestScans,
  };
}
