import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ArtifactUpload } from '../../core/state.ts';

/** Part size of a streamed upload: S3 takes 5 MiB to 5 GiB per part (the last may be smaller), 10,000 parts. */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

export interface UploadParams {
  Bucket: string;
  Key: string;
  ContentType: string;
  ServerSideEncryption?: 'aws:kms';
  SSEKMSKeyId?: string;
}

/**
 * A file uploaded as it is written, holding at most one part in memory: a multipart upload once the text passes one
 * part, a single PutObject below that (most reports). Nothing is visible until `complete`; `abort` drops the parts.
 */
export function s3Upload(
  client: Pick<S3Client, 'send'>,
  params: UploadParams,
  partBytes = UPLOAD_PART_BYTES,
): ArtifactUpload {
  let chunks: string[] = [];
  let size = 0;
  let uploadId: string | undefined;
  const parts: { ETag: string; PartNumber: number }[] = [];

  async function uploadPart(): Promise<void> {
    const body = Buffer.from(chunks.join(''), 'utf8');
    chunks = [];
    size = 0;
    if (uploadId === undefined) {
      const created = await client.send(new CreateMultipartUploadCommand(params));
      if (!created.UploadId) throw new Error(`S3 started no multipart upload for ${params.Key}`);
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    const out = await client.send(
      new UploadPartCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId, PartNumber, Body: body }),
    );
    if (!out.ETag) throw new Error(`S3 returned no ETag for part ${PartNumber} of ${params.Key}`);
    parts.push({ ETag: out.ETag, PartNumber });
  }

  return {
    async write(chunk) {
      chunks.push(chunk);
      size += Buffer.byteLength(chunk, 'utf8');
      if (size >= partBytes) await uploadPart();
    },
    async complete() {
      if (uploadId === undefined) {
        // Strings, not streams: the SDK needs a known length to sign and checksum the upload.
        await client.send(new PutObjectCommand({ ...params, Body: chunks.join('') }));
        chunks = [];
        return;
      }
      if (size > 0) await uploadPart();
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: params.Bucket,
          Key: params.Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    },
    async abort() {
      chunks = [];
      if (uploadId === undefined) return;
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId }),
      );
    },
  };
}

/** An object's lines, streamed (a 500 MB findings file is never one string). */
export async function* s3Lines(client: Pick<S3Client, 'send'>, bucket: string, key: string): AsyncIterable<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) return;
  for await (const line of createInterface({ input: out.Body as Readable, crlfDelay: Infinity })) {
    if (line) yield line;
  }
}
