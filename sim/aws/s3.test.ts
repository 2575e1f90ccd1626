import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simS3Client } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { testFleet } from './fixture.ts';
import { CHECKSUMS, simS3 } from './s3.ts';

let cloud: SimulatedCloud;
let s3: S3Client;
beforeAll(async () => {
  cloud = await startSimulatedCloud(testFleet(), { maxPageSize: 2 });
  s3 = simS3Client(cloud);
  await s3.send(new CreateBucketCommand({ Bucket: 'results' }));
});
afterAll(() => cloud.close());

type Failure = Error & { $metadata?: { httpStatusCode?: number }; Code?: string };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Failure) => e,
  );

describe('S3', () => {
  it('stores, reads and describes an object with its ETag and the CRC32 the SDK sent', async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'results',
        Key: 'a/b c/ü.json',
        Body: '{"x":"ü"}',
        ContentType: 'application/json',
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.ChecksumCRC32).toBe(CHECKSUMS['x-amz-checksum-crc32']!(Buffer.from('{"x":"ü"}')));

    const got = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'a/b c/ü.json' }));
    expect(await got.Body?.transformToString()).toBe('{"x":"ü"}');
    // The SDK asks for the stored checksum (x-amz-checksum-mode) and verifies the body against it.
    expect(got).toMatchObject({ ETag: put.ETag, ContentType: 'application/json', ContentLength: 10 });
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'results', Key: 'a/b c/ü.json' }));
    expect(head).toMatchObject({ ETag: put.ETag, ContentLength: 10 });
    expect(simS3(cloud.fleet).text('results', 'a/b c/ü.json')).toBe('{"x":"ü"}');
  });

  it('decodes an aws-chunked upload and verifies its trailing checksum', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'results',
        Key: 'streamed.txt',
        Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
        ContentLength: 11,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'streamed.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect(simS3(cloud.fleet).buckets.get('results')?.objects.get('streamed.txt')?.checksums).toEqual({
      'x-amz-checksum-crc32': CHECKSUMS['x-amz-checksum-crc32']!(Buffer.from('hello world')),
    });
    expect(cloud.calls.at(-2)).toMatchObject({ service: 's3', action: 'PutObject', status: 200 });
  });

  it('refuses a body whose checksum does not match (BadDigest)', async () => {
    const e = await failure(
      s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'bad', Body: 'data', ChecksumCRC32: 'AAAAAA==' })),
    );
    expect(e).toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    expect(simS3(cloud.fleet).keys('results', 'bad')).toEqual([]);
  });

  it('answers NoSuchKey (GetObject) and NotFound (HeadObject) for a missing key, NoSuchBucket for a missing bucket', async () => {
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'results', Key: 'none' })))).toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: 'results', Key: 'none' })))).toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: 'nobucket', Key: 'k' })))).toMatchObject({
      name: 'NoSuchBucket',
    });
    expect(await failure(s3.send(new HeadBucketCommand({ Bucket: 'nobucket' })))).toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    expect(await s3.send(new HeadBucketCommand({ Bucket: 'results' }))).toMatchObject({ BucketRegion: 'us-east-1' });
  });

  it('writes conditionally: If-None-Match * only when absent, If-Match only on the current ETag', async () => {
    const first = await s3.send(
      new PutObjectCommand({ Bucket: 'results', Key: 'latest', Body: '1', IfNoneMatch: '*' }),
    );
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'latest', Body: '2', IfNoneMatch: '*' }))),
    ).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'latest', Body: '3', IfMatch: first.ETag }));
    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'latest', Body: '4', IfMatch: first.ETag })),
      ),
    ).toMatchObject({ $metadata: { httpStatusCode: 412 } });
    expect(simS3(cloud.fleet).text('results', 'latest')).toBe('3');
  });

  it('lists keys under a prefix page by page (continuation token), with common prefixes for a delimiter', async () => {
    for (const k of ['p/1', 'p/2', 'p/3', 'p/d/x', 'p/d/y', 'q/1']) {
      await s3.send(new PutObjectCommand({ Bucket: 'results', Key: k, Body: k }));
    }
    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: 'results', Prefix: 'p/' })) {
      pages++;
      for (const o of page.Contents ?? []) keys.push(o.Key!);
    }
    expect(keys).toEqual(['p/1', 'p/2', 'p/3', 'p/d/x', 'p/d/y']);
    expect(pages).toBe(3); // maxPageSize 2
    const rolled = await s3.send(
      new ListObjectsV2Command({ Bucket: 'results', Prefix: 'p/', Delimiter: '/', MaxKeys: 10, StartAfter: 'p/1' }),
    );
    expect(rolled.Contents?.map((o) => o.Key)).toEqual(['p/2', 'p/3']);
    expect(rolled.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsV2Command({
        Bucket: 'results',
        Prefix: 'p/',
        Delimiter: '/',
        ContinuationToken: rolled.NextContinuationToken,
      }),
    );
    expect(rest).toMatchObject({ CommonPrefixes: [{ Prefix: 'p/d/' }], IsTruncated: false, KeyCount: 1 });
    expect(rest.Contents).toBeUndefined();
  });

  it('copies and deletes objects', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'results', Key: 'src', Body: 'copied' }));
    await s3.send(new CopyObjectCommand({ Bucket: 'results', Key: 'dst', CopySource: 'results/src' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'results', Key: 'src' }));
    expect(simS3(cloud.fleet).text('results', 'dst')).toBe('copied');
    expect(simS3(cloud.fleet).text('results', 'src')).toBeUndefined();
  });

  it("keeps an account's buckets to itself, and checks an attached role policy: 403 for a missing key without s3:ListBucket", async () => {
    const other = simS3Client(cloud, { credentials: readerCredentials(cloud, '111111111111') });
    expect(await failure(other.send(new GetObjectCommand({ Bucket: 'results', Key: 'dst' })))).toMatchObject({
      name: 'AccessDenied',
    });

    simS3(cloud.fleet).attachPolicy('arn:aws:iam::999999999999:role/Writer', [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::results/scans/*' },
    ]);
    const writer = simS3Client(cloud, { credentials: cloud.roleCredentials('Writer') });
    await writer.send(new PutObjectCommand({ Bucket: 'results', Key: 'scans/1', Body: 'x' }));
    expect(
      await failure(writer.send(new PutObjectCommand({ Bucket: 'results', Key: 'other', Body: 'x' }))),
    ).toMatchObject({
      name: 'AccessDenied',
    });
    expect(await failure(writer.send(new GetObjectCommand({ Bucket: 'results', Key: 'scans/none' })))).toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });

    simS3(cloud.fleet).attachPolicy('arn:aws:iam::999999999999:role/Writer', [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::results' },
    ]);
    expect(await failure(writer.send(new GetObjectCommand({ Bucket: 'results', Key: 'scans/none' })))).toMatchObject({
      name: 'NoSuchKey',
    });
  });
});
