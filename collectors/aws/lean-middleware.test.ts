import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ec2Client, eksClient, iamClient } from './clients.ts';
import { classifyAwsError } from './errors.ts';
import { MALFORMED_MAX_ATTEMPTS } from './retry.ts';

/**
 * The lean clients (collectors/aws/clients.ts with lean-middleware.ts) against the stock SDK clients on the same
 * answers: the same requests (serialization), valid signatures for the client's region and service, the same
 * user-agent, the same outputs and the same errors.
 */
const credentials = { accessKeyId: 'AKIDLEANTEST', secretAccessKey: 'lean-test-secret' };

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; headers: Record<string, string>; body: string };

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let answers: Answer[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const a = answers.shift() ?? { status: 500, headers: {}, body: 'no answer queued' };
      res.writeHead(a.status, { 'x-amzn-requestid': 'req-1', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  seen = [];
  answers = [];
});

const options = () => ({ maxAttempts: 3, retryBaseDelayMs: 1, endpoint });
const stock = () => ({ region: 'eu-west-1', credentials, endpoint, maxAttempts: 3 });
const CLUSTER = {
  name: 'prod',
  arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/prod',
  version: '1.31',
  status: 'ACTIVE',
  roleArn: 'arn:aws:iam::111111111111:role/eks',
  createdAt: 1_700_000_000,
  resourcesVpcConfig: { endpointPublicAccess: false },
};

const json = (body: unknown, status = 200): Answer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const xml = (body: string, status = 200): Answer => ({ status, headers: { 'content-type': 'text/xml' }, body });

/** Re-signs a received request with the client's region and service: equal only if the client signed it so. */
async function expectSigned(s: Seen, region: string, service: string) {
  const auth = String(s.headers.authorization);
  expect(auth).toContain(`/${region}/${service}/aws4_request`);
  const signedNames = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
  const url = new URL(s.url, endpoint);
  const headers = Object.fromEntries(signedNames.map((n) => [n, String(s.headers[n])]));
  const request = new HttpRequest({
    method: s.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: s.body,
  });
  const amzDate = String(s.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
  );
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
  const signed = await signer.sign(request, { signingDate });
  expect(signed.headers.authorization).toBe(auth);
}

type SdkError = Error & Record<string, unknown>;
/** DescribeCluster through the lean client, then the stock one: both must fail; their errors. */
async function bothFail(name: string): Promise<[SdkError, SdkError]> {
  const fail = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('no error'),
      (e: unknown) => e as SdkError,
    );
  const lean = await fail(eksClient('eu-west-1', credentials, options()).send(new DescribeClusterCommand({ name })));
  return [lean, await fail(new EKSClient(stock()).send(new DescribeClusterCommand({ name })))];
}

/** What serialization decides, without what differs per call (dates, ids, signatures). */
const shape = (s: Seen) => ({
  method: s.method,
  url: s.url,
  body: s.body,
  contentType: s.headers['content-type'],
  userAgent: String(s.headers['user-agent']).replace(/ m\/\S+/, ''),
  amzUserAgent: s.headers['x-amz-user-agent'],
});

describe('lean AWS clients (lean-middleware.ts)', () => {
  it('EKS (restJson): the same request as the stock client, signed for the region and eks, the same output', async () => {
    const cluster = CLUSTER;
    const lean = eksClient('eu-west-1', credentials, options());
    answers = [json({ cluster }), json({ cluster }), json({ cluster })];
    const a = await lean.send(new DescribeClusterCommand({ name: 'prod' }));
    const again = await lean.send(new DescribeClusterCommand({ name: 'prod' }));
    const b = await new EKSClient(stock()).send(new DescribeClusterCommand({ name: 'prod' }));
    expect(a.cluster).toEqual(b.cluster);
    expect(again.cluster).toEqual(b.cluster);
    expect(shape(seen[0]!)).toEqual(shape(seen[2]!));
    // The user-agent computed once is on every call.
    expect(shape(seen[1]!)).toEqual(shape(seen[2]!));
    expect(seen[1]!.headers['user-agent']).toMatch(/^aws-sdk-js\/\S+ .*api\/eks#/);
    await expectSigned(seen[0]!, 'eu-west-1', 'eks');
    await expectSigned(seen[1]!, 'eu-west-1', 'eks');
  });

  it('EC2 (ec2Query XML) and IAM (awsQuery XML, signed in us-east-1): the same requests and outputs', async () => {
    const instances = `<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
      <reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId>
      <imageId>ami-1</imageId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`;
    const input = { Filters: [{ Name: 'tag:eks:cluster-name', Values: ['prod'] }] };
    answers = [xml(instances), xml(instances)];
    const a = await ec2Client('eu-west-1', credentials, options()).send(new DescribeInstancesCommand(input));
    const b = await new EC2Client(stock()).send(new DescribeInstancesCommand(input));
    expect(a.Reservations).toEqual(b.Reservations);
    expect(a.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe('i-1');
    expect(shape(seen[0]!)).toEqual(shape(seen[1]!));
    await expectSigned(seen[0]!, 'eu-west-1', 'ec2');

    const role = `<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles><member>
      <Path>/</Path><RoleName>r</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::111111111111:role/r</Arn>
      <CreateDate>2024-01-01T00:00:00Z</CreateDate></member></Roles><IsTruncated>false</IsTruncated></ListRolesResult>
      </ListRolesResponse>`;
    answers = [xml(role), xml(role)];
    const c = await iamClient('us-east-1', credentials, options()).send(new ListRolesCommand({ PathPrefix: '/' }));
    const d = await new IAMClient({ ...stock(), region: 'us-east-1' }).send(new ListRolesCommand({ PathPrefix: '/' }));
    expect(c.Roles).toEqual(d.Roles);
    expect(c.Roles?.[0]?.RoleName).toBe('r');
    expect(shape(seen[2]!)).toEqual(shape(seen[3]!));
    await expectSigned(seen[2]!, 'us-east-1', 'iam');
  });

  it('a service error is the same error as the stock client: name, status, request id, $response', async () => {
    const notFound = () =>
      json({ message: 'No cluster found for name: gone.' }, 404) as Answer & { headers: Record<string, string> };
    const withType = () => {
      const a = notFound();
      a.headers['x-amzn-errortype'] = 'ResourceNotFoundException';
      return a;
    };
    answers = [withType(), withType()];
    const [a, b] = await bothFail('gone');
    expect(a.name).toBe('ResourceNotFoundException');
    expect([a.name, a.message]).toEqual([b.name, b.message]);
    expect(a.$metadata).toMatchObject({ httpStatusCode: 404, requestId: 'req-1', attempts: 1 });
    expect((a as { $response?: { statusCode: number } }).$response?.statusCode).toBe(404);
    expect(Object.keys(a)).not.toContain('$response');
  });

  it('an answer that cannot be parsed fails with the SDK hint and the response metadata, as stock', async () => {
    const broken = (): Answer => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"cluster": ',
    });
    // Our strategy retries a malformed answer (3 attempts), the stock one does not (1).
    answers = Array.from({ length: 6 }, broken);
    const [a, b] = await bothFail('prod');
    expect(a).toBeInstanceOf(Error);
    expect(a.message).toBe(b.message);
    expect(a.message).toContain('Deserialization error');
    const { totalRetryDelay: _a, attempts, ...leanMetadata } = a.$metadata as Record<string, unknown>;
    const { totalRetryDelay: _b, attempts: _c, ...stockMetadata } = b.$metadata as Record<string, unknown>;
    expect(leanMetadata).toEqual(stockMetadata);
    expect(leanMetadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1' });
    // Still classified Malformed through the SDK's decoration, so our strategy retries it (the stock one does not).
    expect(classifyAwsError(a)).toBe('Malformed');
    expect(attempts).toBe(MALFORMED_MAX_ATTEMPTS);
  });

  it('throttling is still retried (the serde and user-agent stand-ins sit inside the retry loop)', async () => {
    const throttled = (): Answer => ({
      status: 429,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' },
      body: JSON.stringify({ message: 'Rate exceeded' }),
    });
    answers = [throttled(), throttled(), json({ cluster: CLUSTER })];
    const out = await eksClient('eu-west-1', credentials, options()).send(new DescribeClusterCommand({ name: 'prod' }));
    expect(out.cluster?.name).toBe('prod');
    expect(out.$metadata.attempts).toBe(3);
    expect(seen).toHaveLength(3);
    for (const s of seen) await expectSigned(s, 'eu-west-1', 'eks');
  });
});
