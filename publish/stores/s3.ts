import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportArtifact, ReportStore } from '../../core/state.ts';
import { s3Lines, s3Upload } from './s3-upload.ts';

export interface S3ReportStoreDeps {
  client: Pick<S3Client, 'send'>;
  bucket: string;
  /** Key prefix, e.g. `kubeposture/` (with its trailing slash). */
  prefix?: string;
  /** SSE-KMS with this key; without it the bucket's default encryption applies. */
  kmsKeyId?: string;
}

/** What `latest/scan.json` holds: the newest scan and where its files are. */
export interface LatestPointer {
  scanId: string;
  keys: Record<string, string>;
}

function isStatus(e: unknown, ...codes: number[]): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status !== undefined && codes.includes(status);
}

/**
 * Reports in S3: `scans/<scanId>/report.json`, `report.ocsf.json`, `report.html`, then the pointer
 * `latest/scan.json`. The pointer only moves forward: it is rewritten with a conditional put
 * (If-Match on the ETag read, If-None-Match when absent), and never for a scan older than the
 * one it names, so a slow scan finishing late cannot make an older report "latest".
 */
export function createS3ReportStore(deps: S3ReportStoreDeps): ReportStore {
  const prefix = deps.prefix ?? '';
  const latestKey = `${prefix}latest/scan.json`;
  const encryption = deps.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: deps.kmsKeyId } : {};

  async function readLatest(): Promise<{ pointer: LatestPointer; etag: string | undefined } | undefined> {
    try {
      const out = await deps.client.send(new GetObjectCommand({ Bucket: deps.bucket, Key: latestKey }));
      const text = (await out.Body?.transformToString()) ?? '{}';
      return { pointer: JSON.parse(text) as LatestPointer, etag: out.ETag };
    } catch (e) {
      if (isStatus(e, 404) || (e as Error)?.name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  const keyOf = (scanId: string, name: string) => `${prefix}scans/${scanId}/${name}`;
  return {
    async open(scanId, name, contentType) {
      return s3Upload(deps.client, {
        Bucket: deps.bucket,
        Key: keyOf(scanId, name),
        ContentType: contentType,
        ...encryption,
      });
    },
    lines(scanId, name) {
      return s3Lines(deps.client, deps.bucket, keyOf(scanId, name));
    },
    async put(
      scanId: string,
      artifacts: readonly ReportArtifact[],
      streamed: readonly string[] = [],
      options: { latest?: boolean } = {},
    ) {
      const keys: Record<string, string> = {};
      for (const name of streamed) keys[name] = keyOf(scanId, name);
      for (const a of artifacts) {
        const key = keyOf(scanId, a.name);
        // Strings, not streams: the SDK needs a known length to sign and checksum the upload.
        await deps.client.send(
          new PutObjectCommand({
            Bucket: deps.bucket,
            Key: key,
            Body: a.body,
            ContentType: a.contentType,
            ...encryption,
          }),
        );
        keys[a.name] = key;
      }
      const body = `${JSON.stringify({ scanId, keys } satisfies LatestPointer, null, 2)}\n`;
      for (let attempt = 0; options.latest !== false && attempt < 3; attempt++) {
        const current = await readLatest();
        if (current && current.pointer.scanId >= scanId) break; // a newer (or this) scan is already latest
        try {
          await deps.client.send(
            new PutObjectCommand({
              Bucket: deps.bucket,
              Key: latestKey,
              Body: body,
              ContentType: 'application/json',
              ...(current?.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
              ...encryption,
            }),
          );
          break;
        } catch (e) {
          // 412: another scan moved the pointer between our read and write; read again.
          if (!isStatus(e, 412, 409)) throw e;
        }
      }
      return { keys: Object.values(keys), latest: latestKey };
    },
  };
}
