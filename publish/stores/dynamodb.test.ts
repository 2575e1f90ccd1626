import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../../core/errors.ts';
import { reconcileWithStore } from '../../core/state.ts';
import { aStoreFinding, aStoreReport, rescanRaceContract, stateStoreContract } from './contract.ts';
import { createDynamoStateStore, stateTableDefinition } from './dynamodb.ts';

// dynalite speaks the DynamoDB wire protocol, in memory, on loopback: conditional writes included.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  await new Promise<void>((ok, fail) => server.listen(0, '127.0.0.1', (e?: Error) => (e ? fail(e) : ok())));
  const { port } = server.address() as { port: number };
  client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });
});
afterAll(async () => {
  client?.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
});

async function freshTable(): Promise<string> {
  const name = `kubeposture-state-${++tables}`;
  await client.send(new CreateTableCommand(stateTableDefinition(name)));
  // Even with createTableMs 0, dynalite answers CREATING first, as DynamoDB does: wait for ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: name });
  return name;
}

describe('DynamoDB state store (against dynalite)', () => {
  stateStoreContract(async () => {
    const tableName = await freshTable();
    return {
      store: createDynamoStateStore({ client, tableName }),
      again: () => createDynamoStateStore({ client, tableName }),
    };
  });

  rescanRaceContract(async () => {
    const tableName = await freshTable();
    return {
      store: createDynamoStateStore({ client, tableName }),
      again: () => createDynamoStateStore({ client, tableName }),
    };
  });

  it('sets a TTL on resolved findings only, and spreads findings over partitions by id', async () => {
    const tableName = await freshTable();
    const store = createDynamoStateStore({ client, tableName });
    const a = aStoreFinding('EKS.ENDPOINT.1');
    const b = aStoreFinding('EKS.LOGGING.1');
    await reconcileWithStore(store, aStoreReport('scan-1', [a, b]), { now: new Date() });
    await reconcileWithStore(store, aStoreReport('scan-2', [a, { ...b, status: 'PASS' }]), { now: new Date() });
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    const byPk = Object.fromEntries((Items ?? []).map((i) => [`${i.pk?.S} ${i.sk?.S}`, i]));
    expect(byPk[`FINDING#${a.id[0]} ${a.id}`]?.expiresAt).toBeUndefined();
    expect(Number(byPk[`FINDING#${b.id[0]} ${b.id}`]?.expiresAt?.N)).toBe(
      Date.parse('2026-06-02T08:00:00.000Z') / 1000 + 90 * 86_400,
    );
    expect(byPk['SCAN scan-2']?.expiresAt?.N).toBeDefined();
  });

  it('names the item when stored state is invalid, and writes nothing', async () => {
    const tableName = await freshTable();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'FINDING#a' }, sk: { S: 'a'.repeat(32) }, id: { S: 'a'.repeat(32) }, version: { N: '1' } },
      }),
    );
    const store = createDynamoStateStore({ client, tableName });
    const scan = reconcileWithStore(store, aStoreReport('scan-1', [aStoreFinding('EKS.ENDPOINT.1')]), {
      now: new Date(),
    });
    await expect(scan).rejects.toBeInstanceOf(StateError);
    await expect(scan).rejects.toThrow(`table ${tableName} item pk=FINDING#a sk=${'a'.repeat(32)}`);
    expect(await store.scans(5)).toEqual([]);
  });

  it('loads every record of a partition that spans several pages (1 MB each), parsed page by page', async () => {
    const tableName = await freshTable();
    const store = createDynamoStateStore({ client, tableName });
    await reconcileWithStore(store, aStoreReport('scan-1', [aStoreFinding('EKS.ENDPOINT.1')]), { now: new Date() });
    const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
    const template = Items!.find((i) => i.pk?.S?.startsWith('FINDING#'))!;
    // Six 300 KB records in one partition: more than a 1 MB page, so load must follow LastEvaluatedKey.
    const ids = Array.from({ length: 6 }, (_, n) => `c${n.toString(16).padStart(31, '0')}`);
    for (const id of ids)
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...template,
            pk: { S: 'FINDING#c' },
            sk: { S: id },
            id: { S: id },
            message: { S: 'x'.repeat(300_000) },
          },
        }),
      );
    const { findings } = await store.load();
    expect(findings.filter((f) => f.id.startsWith('c')).map((f) => f.id)).toEqual(ids);
    expect(findings).toHaveLength(7);
    expect(findings.map((f) => f.id)).toEqual([...findings.map((f) => f.id)].sort());
  });
});
