import { describe, expect, it } from 'vitest';
import { s3Upload } from './s3-upload.ts';

/** An S3 client that records each command's name and input, answering multipart calls as S3 does. */
function recordingS3() {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  return {
    calls,
    client: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        calls.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === 'CreateMultipartUploadCommand') return { UploadId: 'up-1' };
        if (command.constructor.name === 'UploadPartCommand')
          return { ETag: `"etag-${String(command.input.PartNumber)}"` };
        return {};
      },
    } as never,
  };
}

const params = { Bucket: 'b', Key: 'scans/x/report.findings.jsonl', ContentType: 'application/x-ndjson' };

describe('s3Upload', () => {
  it('sends a small file as one PutObject', async () => {
    const s3 = recordingS3();
    const up = s3Upload(s3.client, params, 100);
    await up.write('{"a":1}\n');
    await up.write('{"a":2}\n');
    await up.complete();
    expect(s3.calls.map((c) => c.name)).toEqual(['PutObjectCommand']);
    expect(s3.calls[0]!.input).toMatchObject({ ...params, Body: '{"a":1}\n{"a":2}\n' });
  });

  it('streams a large file as parts of the part size, in order, and completes with every ETag', async () => {
    const s3 = recordingS3();
    const up = s3Upload(s3.client, params, 100);
    const line = `${'x'.repeat(39)}\n`; // 40 bytes: a part every 3 lines
    for (let i = 0; i < 7; i++) await up.write(line);
    await up.complete();
    expect(s3.calls.map((c) => c.name)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    const parts = s3.calls.filter((c) => c.name === 'UploadPartCommand');
    expect(parts.map((p) => [p.input.PartNumber, (p.input.Body as Buffer).length])).toEqual([
      [1, 120],
      [2, 120],
      [3, 40],
    ]);
    expect(s3.calls.at(-1)!.input).toMatchObject({
      UploadId: 'up-1',
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: '"etag-1"' },
          { PartNumber: 2, ETag: '"etag-2"' },
          { PartNumber: 3, ETag: '"etag-3"' },
        ],
      },
    });
  });

  it('aborts a started multipart upload, so nothing of it becomes visible', async () => {
    const s3 = recordingS3();
    const up = s3Upload(s3.client, params, 10);
    await up.write('0123456789abc');
    await up.abort();
    expect(s3.calls.map((c) => c.name)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'AbortMultipartUploadCommand',
    ]);
  });
});
