import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { type ObjectStore, s3ObjectStore } from './objects.ts';
import { traced } from './powertools.ts';
import { createDynamoScanRuns, type ScanRuns } from './scan-runs.ts';

/** A value built on first use and kept for the container's life (clients, parsed settings). */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The results bucket (the stack sets it). */
export const bucketFromEnv = (env: Record<string, string | undefined> = process.env) =>
  required(env, 'KUBEPOSTURE_BUCKET');
/** The state table: finding state (issue #6) and scan runs (the stack sets it). */
export const tableFromEnv = (env: Record<string, string | undefined> = process.env) =>
  required(env, 'KUBEPOSTURE_TABLE');

/** Production stores, shared by the functions of one bundle; nothing is built until a handler asks. */
export const envObjects: () => ObjectStore = lazy(() => s3ObjectStore(traced(new S3Client({})), bucketFromEnv()));
export const envRuns: () => ScanRuns = lazy(() =>
  createDynamoScanRuns({ client: traced(new DynamoDBClient({})), tableName: tableFromEnv() }),
);
