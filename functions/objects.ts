import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ArtifactUpload } from '../core/state.ts';
import type { Target } from '../core/target.ts';
import { fileLines, fileUpload } from '../publish/stores/local.ts';
import { s3Lines, s3Upload } from '../publish/stores/s3-upload.ts';

/**
 * The little the functions need from S3: whole small JSON documents by key. A port, so handler
 * tests use `memoryObjectStore()` and only `s3ObjectStore` itself meets an S3 client.
 */
export interface ObjectStore {
  put(key: string, body: string, contentType?: string): Promise<void>;
  /** undefined when the key does not exist. */
  get(key: string): Promise<string | undefined>;
  /** Keys under a prefix, page by page, so a listing of thousands never sits in memory at once. */
  keys(prefix: string): AsyncIterable<string>;
  /** A large object written piece by piece (S3: multipart); visible only after `complete`. */
  upload(key: string, contentType?: string): ArtifactUpload;
  /** A large object's non-empty lines, streamed. */
  lines(key: string): AsyncIterable<string>;
  /** Bytes `[start, end)` of an object as text (a page of a JSON Lines file), undefined when it does not exist. */
  range(key: string, start: number, end: number): Promise<string | undefined>;
}

const notFound = (e: unknown) => e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey';

/**
 * S3 with the bucket's default encryption (SSE-KMS, set on the bucket by the stack), so no call
 * carries key settings that could disagree with it.
 */
export function s3ObjectStore(client: S3Client, bucket: string): ObjectStore {
  return {
    async put(key, body, contentType = 'application/json') {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString('utf8');
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    upload(key, contentType = 'application/json') {
      return s3Upload(client, { Bucket: bucket, Key: key, ContentType: contentType });
    },
    lines(key) {
      return s3Lines(client, bucket, key);
    },
    async range(key, start, end) {
      if (end <= start) return '';
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
        );
        return await out.Body?.transformToString('utf8');
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async *keys(prefix) {
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) if (o.Key) yield o.Key;
      }
    },
  };
}

/** In memory, for handler unit tests (the end-to-end tests use the simulated S3). */
export function memoryObjectStore(): ObjectStore & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    async put(key, body) {
      objects.set(key, body);
    },
    async get(key) {
      return objects.get(key);
    },
    async *keys(prefix) {
      for (const key of [...objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
    },
    upload(key) {
      let body = '';
      return {
        async write(chunk) {
          body += chunk;
        },
        async complete() {
          objects.set(key, body);
        },
        async abort() {
          body = '';
        },
      };
    },
    async *lines(key) {
      for (const line of (objects.get(key) ?? '').split('\n')) if (line) yield line;
    },
    async range(key, start, end) {
      const body = objects.get(key);
      return body === undefined ? undefined : Buffer.from(body, 'utf8').subarray(start, end).toString('utf8');
    },
  };
}

/**
 * Where a scan's documents live in the results bucket. Everything of one scan is under one prefix,
 * so a lifecycle rule, an export or a deletion treats a scan as a unit.
 */
export const scanKeys = {
  prefix: (scanId: string) => `scans/${scanId}/`,
  /** The plan: targets, errors of accounts that could not be planned, filter, trigger. */
  plan: (scanId: string) => `scans/${scanId}/plan.json`,
  /** The Distributed Map's item list: a JSON array of scan-target events. */
  items: (scanId: string) => `scans/${scanId}/items.json`,
  /** One target's result; deterministic, which makes scan-target idempotent per (scan, target). */
  result: (scanId: string, t: Target) =>
    `scans/${scanId}/results/${t.provider}/${t.accountId}/${t.region === '*' ? 'all-locations' : t.region}${
      // One named cluster: its own document (two clusters of a region are two targets); the name is key-safe.
      t.cluster
        ? `/clusters/${t.cluster.provider === 'azure' ? `${t.cluster.resourceGroup}/` : ''}${t.cluster.name}`
        : ''
    }.json`,
  report: (scanId: string) => `scans/${scanId}/report.json`,
};

/**
 * A folder as the results bucket (`<dir>/<key>`): for the finalize benchmark, which needs results on disk so that
 * only finalize's own memory counts, and for local runs of the functions.
 */
export function fileObjectStore(dir: string): ObjectStore {
  const path = (key: string) => join(dir, ...key.split('/'));
  return {
    async put(key, body) {
      await mkdir(dirname(path(key)), { recursive: true });
      await writeFile(path(key), body);
    },
    async get(key) {
      try {
        return await readFile(path(key), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async *keys(prefix) {
      const all: string[] = [];
      try {
        for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile()) continue;
          const key = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
          if (key.startsWith(prefix)) all.push(key);
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      yield* all.sort();
    },
    upload(key) {
      let started: Promise<ArtifactUpload> | undefined;
      const file = () => {
        started ??= mkdir(dirname(path(key)), { recursive: true }).then(() => fileUpload(path(key)));
        return started;
      };
      return {
        write: async (chunk) => (await file()).write(chunk),
        complete: async () => (await file()).complete(),
        abort: async () => (await file()).abort(),
      };
    },
    lines(key) {
      return fileLines(path(key));
    },
    async range(key, start, end) {
      if (end <= start) return '';
      try {
        const handle = await open(path(key), 'r');
        try {
          const buffer = Buffer.alloc(end - start);
          const { bytesRead } = await handle.read(buffer, 0, end - start, start);
          return buffer.subarray(0, bytesRead).toString('utf8');
        } finally {
          await handle.close();
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}
