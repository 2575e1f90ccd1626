import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { reconcile } from '../../core/lifecycle.ts';
import { reportArtifacts } from '../artifacts.ts';
import { aStoreFinding, aStoreReport } from './contract.ts';
import { createS3ReportStore } from './s3.ts';

/** An in-memory bucket answering the two calls the store makes, with S3's conditional-put semantics. */
function fakeS3() {
  const objects = new Map<string, { body: string; etag: string; input: PutObjectCommandInput }>();
  const puts: PutObjectCommandInput[] = [];
  let etags = 0;
  const fail = (status: number, name: string) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  return {
    objects,
    puts,
    async send(command: unknown) {
      if (command instanceof PutObjectCommand) {
        const input = command.input;
        const current = objects.get(input.Key!);
        if (input.IfNoneMatch === '*' && current) throw fail(412, 'PreconditionFailed');
        if (input.IfMatch && current?.etag !== input.IfMatch) throw fail(412, 'PreconditionFailed');
        puts.push(input);
        objects.set(input.Key!, { body: String(input.Body), etag: `"${++etags}"`, input });
        return {};
      }
      if (command instanceof GetObjectCommand) {
        const o = objects.get(command.input.Key!);
        if (!o) throw fail(404, 'NoSuchKey');
        return { ETag: o.etag, Body: { transformToString: async () => o.body } };
      }
      throw new Error(`unexpected command ${(command as object).constructor.name}`);
    },
  };
}

describe('S3 report store', () => {
  const report = reconcile([], aStoreReport('20260601T080000Z-aaaaaa', [aStoreFinding('EKS.ENDPOINT.1')]), {
    now: new Date(),
  }).report;

  it('writes the JSON, OCSF and HTML report of a scan with their content types and SSE-KMS, then the latest pointer', async () => {
    const s3 = fakeS3();
    const store = createS3ReportStore({ client: s3, bucket: 'reports', prefix: 'kp/', kmsKeyId: 'alias/kp' });
    const out = await store.put(report.scan.id, reportArtifacts(report, checks));
    expect(s3.puts.map((p) => [p.Key, p.ContentType, p.ServerSideEncryption, p.SSEKMSKeyId])).toEqual([
      ['kp/scans/20260601T080000Z-aaaaaa/report.json', 'application/json', 'aws:kms', 'alias/kp'],
      ['kp/scans/20260601T080000Z-aaaaaa/report.findings.jsonl', 'application/x-ndjson', 'aws:kms', 'alias/kp'],
      ['kp/scans/20260601T080000Z-aaaaaa/report.ocsf.json', 'application/json', 'aws:kms', 'alias/kp'],
      ['kp/scans/20260601T080000Z-aaaaaa/report.html', 'text/html; charset=utf-8', 'aws:kms', 'alias/kp'],
      ['kp/latest/scan.json', 'application/json', 'aws:kms', 'alias/kp'],
    ]);
    expect(typeof s3.puts[0]!.Body).toBe('string');
    expect(JSON.parse(String(s3.puts[0]!.Body)).scan.id).toBe(report.scan.id);
    expect(JSON.parse(s3.objects.get('kp/latest/scan.json')!.body)).toEqual({
      scanId: report.scan.id,
      keys: {
        'report.json': 'kp/scans/20260601T080000Z-aaaaaa/report.json',
        'report.findings.jsonl': 'kp/scans/20260601T080000Z-aaaaaa/report.findings.jsonl',
        'report.ocsf.json': 'kp/scans/20260601T080000Z-aaaaaa/report.ocsf.json',
        'report.html': 'kp/scans/20260601T080000Z-aaaaaa/report.html',
      },
    });
    expect(out.latest).toBe('kp/latest/scan.json');
  });

  it('streams a file through open with the same key and SSE-KMS, and lists it in the latest pointer', async () => {
    const s3 = fakeS3();
    const store = createS3ReportStore({ client: s3, bucket: 'reports', prefix: 'kp/', kmsKeyId: 'alias/kp' });
    const up = await store.open!(report.scan.id, 'report.findings.jsonl', 'application/x-ndjson');
    await up.write('{"id":"a"}\n');
    await up.complete();
    await store.put(report.scan.id, [], ['report.findings.jsonl']);
    expect(s3.puts[0]).toMatchObject({
      Key: 'kp/scans/20260601T080000Z-aaaaaa/report.findings.jsonl',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/kp',
      Body: '{"id":"a"}\n',
    });
    expect(JSON.parse(s3.objects.get('kp/latest/scan.json')!.body).keys).toEqual({
      'report.findings.jsonl': 'kp/scans/20260601T080000Z-aaaaaa/report.findings.jsonl',
    });
  });

  it('moves the latest pointer forward only: a late older scan does not replace a newer one', async () => {
    const s3 = fakeS3();
    const store = createS3ReportStore({ client: s3, bucket: 'reports' });
    const artifacts = [{ name: 'report.json', contentType: 'application/json', body: '{}' }];
    await store.put('20260601T090000Z-bbbbbb', artifacts);
    await store.put('20260601T080000Z-aaaaaa', artifacts);
    expect(JSON.parse(s3.objects.get('latest/scan.json')!.body).scanId).toBe('20260601T090000Z-bbbbbb');
    await store.put('20260601T100000Z-cccccc', artifacts);
    expect(JSON.parse(s3.objects.get('latest/scan.json')!.body).scanId).toBe('20260601T100000Z-cccccc');
    // The second pointer write was conditioned on the ETag it read.
    expect(s3.puts.filter((p) => p.Key === 'latest/scan.json').map((p) => p.IfMatch ?? p.IfNoneMatch)).toEqual([
      '*',
      '"2"',
    ]);
  });

  it('keeps the latest pointer where it is for a report that asks so (a cluster scan), and still writes its files', async () => {
    const s3 = fakeS3();
    const store = createS3ReportStore({ client: s3, bucket: 'reports' });
    const artifacts = [{ name: 'report.json', contentType: 'application/json', body: '{}' }];
    await store.put('20260601T090000Z-bbbbbb', artifacts);
    const out = await store.put('20260601T100000Z-cccccc', artifacts, [], { latest: false });
    expect(JSON.parse(s3.objects.get('latest/scan.json')!.body).scanId).toBe('20260601T090000Z-bbbbbb');
    expect(out.keys).toEqual(['scans/20260601T100000Z-cccccc/report.json']);
  });
});
