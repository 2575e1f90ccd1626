import { createServer, get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand, paginateListClusters, ThrottlingException } from '@aws-sdk/client-eks';
import { GetAccountAuthorizationDetailsCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterEach, describe, expect, it } from 'vitest';
import { testFleet } from './aws/fixture.ts';
import { readerCredentials, simClientConfig } from './clients.ts';
import { FAULT_TOKEN_PREFIX, FaultInjector, type FaultPlan, GARBAGE_BODY } from './faults.ts';
import { parseFleetSpec, type SimOptions, type SimulatedCloud, startSimulatedCloud } from './index.ts';

let cloud: SimulatedCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function start(options: SimOptions): Promise<SimulatedCloud> {
  cloud = await startSimulatedCloud(testFleet(), options);
  return cloud;
}

/** A request signed for `service`, without the SDK, to look at raw responses. */
function rawRequest(c: SimulatedCloud, service: string, init: RequestInit = {}) {
  return fetch(`${c.aws.endpoint}/`, {
    method: 'POST',
    ...init,
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${c.callerCredentials.accessKeyId}/20261124/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
      'content-type': 'application/x-www-form-urlencoded',
      ...init.headers,
    },
  });
}

describe('throttling', () => {
  it('answers ThrottlingException once the bucket is empty, when the client does not retry', async () => {
    const c = await start({ throttle: { ratePerSecond: 1, burst: 2, services: ['eks'] } });
    const eks = new EKSClient({ ...simClientConfig(c), maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => eks.send(new ListClustersCommand({}))));
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(4);
    for (const e of rejected) {
      expect(e).toBeInstanceOf(ThrottlingException);
      expect(e).toMatchObject({ $metadata: { httpStatusCode: 429 } });
    }
    expect(c.count({ service: 'eks', status: 429, errorCode: 'ThrottlingException' })).toBe(4);
    // Only EKS is throttled; STS is untouched.
    const sts = new STSClient({ ...simClientConfig(c), maxAttempts: 1 });
    await Promise.all(Array.from({ length: 5 }, () => sts.send(new GetCallerIdentityCommand({}))));
  });

  it('lets a client with fast retries get every answer through the throttle', async () => {
    const c = await start({ throttle: { ratePerSecond: 100, burst: 1 } });
    const eks = new EKSClient({
      ...simClientConfig(c),
      retryStrategy: new ConfiguredRetryStrategy(20, (attempt) => 5 * attempt),
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => eks.send(new ListClustersCommand({}))));
    expect(results.every((r) => Array.isArray(r.clusters))).toBe(true);
    expect(c.count({ action: 'ListClusters', status: 200 })).toBe(6);
    expect(c.count({ action: 'ListClusters', status: 429 })).toBeGreaterThan(0);
  });

  it('keeps one bucket per account, region and service', async () => {
    const c = await start({ throttle: { ratePerSecond: 0.1, burst: 1 } });
    const client = (region: string) => new EKSClient({ ...simClientConfig(c, { region }), maxAttempts: 1 });
    await client('us-east-1').send(new ListClustersCommand({}));
    await client('eu-west-1').send(new ListClustersCommand({}));
    await new EC2Client({ ...simClientConfig(c), maxAttempts: 1 }).send(new DescribeRegionsCommand({}));
    await expect(client('us-east-1').send(new ListClustersCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('throttles STS and EC2 with their own error codes, and never sends Retry-After', async () => {
    const c = await start({ throttle: { ratePerSecond: 0.1, burst: 1 } });
    const sts = new STSClient({ ...simClientConfig(c), maxAttempts: 1 });
    await sts.send(new GetCallerIdentityCommand({}));
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    const ec2 = new EC2Client({ ...simClientConfig(c), maxAttempts: 1 });
    await ec2.send(new DescribeRegionsCommand({}));
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    const raw = await rawRequest(c, 'ec2', { body: 'Action=DescribeRegions&Version=2016-11-15' });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBeNull();
    expect(await raw.text()).toContain('<Response><Errors><Error><Code>RequestLimitExceeded</Code>');
  });
});

describe('latency', () => {
  it('delays every response by latencyMs', async () => {
    const c = await start({ latencyMs: 150 });
    const eks = new EKSClient({ ...simClientConfig(c), maxAttempts: 1 });
    const started = performance.now();
    await eks.send(new ListClustersCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe('requests the simulated cloud cannot place', () => {
  it('refuses an unsigned request', async () => {
    const c = await start({});
    const res = await fetch(`${c.aws.endpoint}/`, { method: 'POST', body: 'Action=GetCallerIdentity' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('MissingAuthenticationToken');
    expect(c.count({ service: '?', status: 403 })).toBe(1);
  });

  it('names a service it does not serve', async () => {
    const c = await start({});
    const res = await rawRequest(c, 'secretsmanager', { body: 'Action=ListKeys' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('does not serve AWS service &apos;secretsmanager&apos;');
    expect(c.count({ service: 'secretsmanager', status: 400, errorCode: 'UnknownService' })).toBe(1);
  });

  it('serves the SDK through the environment variables it publishes', async () => {
    const c = await start({});
    expect(c.env).toMatchObject({
      AWS_ENDPOINT_URL: c.aws.endpoint,
      AWS_ACCESS_KEY_ID: c.callerCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: c.callerCredentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    expect(c.aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The fault layer (sim/faults.ts): each kind as the client sees it on the wire, for AWS, ARM, GKE and Kubernetes.

const AZ_SUB = '11111111-1111-4111-8111-111111111111';

/** AWS (two accounts), ARM (three clusters) and GKE (a project): enough to page through with maxPageSize 2. */
const faultFleet = () =>
  parseFleetSpec({
    caller: { accountId: '999999999999' },
    accounts: [
      {
        id: '111111111111',
        enabledRegions: ['us-east-1'],
        clusters: ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((name) => ({ name, region: 'us-east-1' })),
      },
    ],
    azure: {
      subscriptions: [
        { id: AZ_SUB, clusters: ['one', 'two', 'three'].map((name) => ({ name, location: 'westeurope' })) },
      ],
    },
    gcp: { projects: [{ id: 'shop-prod-1234', clusters: [{ name: 'storefront', location: 'europe-west1' }] }] },
  });

async function startFaulted(faults?: FaultPlan, o: SimOptions = {}): Promise<SimulatedCloud> {
  cloud = await startSimulatedCloud(faultFleet(), { maxPageSize: 2, ...o, ...(faults ? { faults } : {}) });
  return cloud;
}

const eksOf = (c: SimulatedCloud) =>
  new EKSClient({ ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }), maxAttempts: 1 });

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET over http(s) with node's own client: rejects when the connection ends before the whole body. */
function rawGet(url: string, o: { ca?: string; headers?: Record<string, string>; timeoutMs?: number } = {}) {
  return new Promise<Raw>((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(
      url,
      { headers: { authorization: 'Bearer test', ...o.headers }, ...(o.ca ? { ca: o.ca } : {}), agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('aborted')));
      },
    );
    req.on('error', reject);
    if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(new Error('client timeout')));
  });
}

const arm = (c: SimulatedCloud, path: string) =>
  rawGet(`${c.azure!.endpoint}${path}${path.includes('?') ? '&' : '?'}api-version=2025-01-01`, { ca: c.azure!.ca });
const MC_LIST = `/subscriptions/${AZ_SUB}/providers/Microsoft.ContainerService/managedClusters`;
const gke = (c: SimulatedCloud, path: string) => rawGet(`${c.gcp!.endpoint}${path}`);
const GKE_LIST = '/v1/projects/shop-prod-1234/locations/-/clusters';

describe('fault plans', () => {
  it('rejects an invalid plan naming the field', () => {
    expect(() => new FaultInjector({ rules: [{ kind: 'throttle', rate: 1.5 }] })).toThrow(/faults\.rules\[0\]\.rate/);
    expect(() => new FaultInjector({ rules: [{ kind: 'flood' as never, rate: 1 }] })).toThrow(
      /faults\.rules\[0\]\.kind/,
    );
    expect(() => new FaultInjector({ rules: [{ kind: 'hang', rate: 1, cloud: 'oracle' as never }] })).toThrow(
      /faults\.rules\[0\]\.cloud/,
    );
  });

  it('injects the same faults for the same seed and sequence of calls, and other faults for another seed', async () => {
    const c = await startFaulted();
    const run = async (seed: number) => {
      c.faults.set({ seed, rules: [{ kind: 'server-error', rate: 0.5, cloud: 'gcp' }] });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await gke(c, GKE_LIST)).status);
      return statuses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('applies a rule only to the clouds, services, actions and accounts it names, minus its exceptions', async () => {
    const c = await startFaulted({
      rules: [{ kind: 'throttle', rate: 1, cloud: 'aws', except: [{ service: 'sts', action: 'AssumeRole' }] }],
    });
    // AssumeRole goes through (the reader credentials resolve), the EKS call after it is throttled.
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
    expect(c.count({ service: 'sts', action: 'AssumeRole', status: 200 })).toBe(1);
    expect((await gke(c, GKE_LIST)).status).toBe(200);
    expect(c.faults.injected).toEqual([
      {
        request: expect.any(String),
        kind: 'throttle',
        cloud: 'aws',
        service: 'eks',
        action: 'ListClusters',
        accountId: '111111111111',
        region: 'us-east-1',
        detail: 'ThrottlingException',
      },
    ]);
    expect(c.count({ fault: 'throttle' })).toBe(1);

    c.faults.set({ rules: [{ kind: 'server-error', rate: 1, action: 'clusters.list', limit: 1 }] });
    expect((await gke(c, GKE_LIST)).status).toBe(503);
    expect((await gke(c, GKE_LIST)).status).toBe(200); // limit reached
    expect((await gke(c, '/v1/projects')).status).toBe(200); // another action
    c.faults.clear();
    expect(c.faults.injected).toHaveLength(1); // the record of the plan that ran is kept
    await expect(eksOf(c).send(new ListClustersCommand({}))).resolves.toMatchObject({ clusters: ['alpha', 'bravo'] });
  });
});

describe('key health routes (issue 15): Key Vault through ARM and Cloud KMS take faults like every call', () => {
  const KEY = '/v1/projects/shop-prod-1234/locations/europe-west1/keyRings/gke/cryptoKeys/etcd';
  const VAULTS = `/subscriptions/${AZ_SUB}/providers/Microsoft.KeyVault/vaults`;

  it('answers cleanly without a plan: a default key, an empty vault list', async () => {
    const c = await startFaulted();
    const key = await gke(c, KEY);
    expect(key.status).toBe(200);
    expect(JSON.parse(key.body)).toMatchObject({ purpose: 'ENCRYPT_DECRYPT', primary: { state: 'ENABLED' } });
    expect(JSON.parse((await arm(c, VAULTS)).body)).toEqual({ value: [] });
    expect(c.count({ service: 'cloudkms', action: 'cryptoKeys.get', accountId: 'shop-prod-1234' })).toBe(1);
    expect(c.count({ service: 'arm', action: 'Vaults.ListBySubscription', accountId: AZ_SUB })).toBe(1);
  });

  it('faults only the service and actions a rule names', async () => {
    const c = await startFaulted({
      rules: [
        { kind: 'throttle', rate: 1, service: 'cloudkms' },
        { kind: 'server-error', rate: 1, action: 'Vaults.ListBySubscription' },
      ],
    });
    expect((await gke(c, KEY)).status).toBe(429);
    expect((await gke(c, GKE_LIST)).status).toBe(200);
    expect((await arm(c, VAULTS)).status).toBeGreaterThanOrEqual(500);
    expect((await arm(c, MC_LIST)).status).toBe(200);
    expect(c.faults.injected.map((f) => `${f.kind} ${f.service} ${f.action}`)).toEqual([
      'throttle cloudkms cryptoKeys.get',
      'server-error arm Vaults.ListBySubscription',
    ]);
  });

  it('a key the reader may not read answers PERMISSION_DENIED naming cloudkms.cryptoKeys.get, in any plan', async () => {
    const c = await startFaulted({ rules: [{ kind: 'empty', rate: 1, service: 'cloudkms' }] });
    const denied = await gke(c, '/v1/projects/someone-else-1/locations/europe-west1/keyRings/r/cryptoKeys/k');
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('cloudkms.cryptoKeys.get');
    // `empty` replaces only successes: the readable key comes back as `{}`, which the collector refuses.
    expect((await gke(c, KEY)).body).toBe('{}');
  });
});

describe('fault records', () => {
  it('fingerprint each request, so a retry of a faulted call is recognisable as the same request', async () => {
    const c = await startFaulted({ rules: [{ kind: 'server-error', rate: 1, limit: 1, action: 'ListClusters' }] });
    const eks = new EKSClient({
      ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }),
      retryStrategy: new ConfiguredRetryStrategy(2, () => 1),
    });
    await eks.send(new ListClustersCommand({}));
    await eks.send(new ListClustersCommand({ maxResults: 1 }));
    const [faulted, retried, other] = c.calls.filter((x) => x.action === 'ListClusters');
    expect(faulted).toMatchObject({ status: 500, fault: 'server-error' });
    expect(retried).toMatchObject({ status: 200, request: faulted!.request });
    expect(retried!.fault).toBeUndefined();
    expect(other!.request).not.toBe(faulted!.request);
    expect(c.faults.injected[0]!.request).toBe(faulted!.request);
  });
});

describe('fault kinds on the wire', () => {
  it('throttle: each cloud’s own throttling error', async () => {
    const c = await startFaulted({ rules: [{ kind: 'throttle', rate: 1, except: [{ action: 'AssumeRole' }] }] });
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    const sts = new STSClient({ ...simClientConfig(c), maxAttempts: 1 });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    const ec2 = new EC2Client({ ...simClientConfig(c), maxAttempts: 1 });
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    const a = await arm(c, MC_LIST);
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('1');
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
    const g = await gke(c, GKE_LIST);
    expect(g.status).toBe(429);
    expect(JSON.parse(g.body)).toMatchObject({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ reason: 'RATE_LIMIT_EXCEEDED' }] },
    });
    const cluster = c.fleet.allClusters()[0]!.cluster;
    const k = await rawGet(`${cluster.endpoint}/api/v1/namespaces/kube-system/configmaps/aws-auth`, {
      ca: Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString(),
    });
    expect(k.status).toBe(429);
    expect(JSON.parse(k.body)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect(new Set(c.faults.injected.map((f) => f.cloud))).toEqual(new Set(['aws', 'azure', 'gcp', 'k8s']));
  });

  it('server-error: a 5xx in each cloud’s error shape', async () => {
    const c = await startFaulted({ rules: [{ kind: 'server-error', rate: 1, except: [{ action: 'AssumeRole' }] }] });
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: 'ServerException',
      $metadata: { httpStatusCode: 500 },
    });
    const a = await arm(c, MC_LIST);
    expect(a.status).toBe(500);
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'InternalServerError' } });
    const g = await gke(c, GKE_LIST);
    expect(g.status).toBe(503);
    expect(JSON.parse(g.body)).toMatchObject({ error: { status: 'UNAVAILABLE' } });
    expect(c.count({ fault: 'server-error', errorCode: 'ServerException', status: 500 })).toBe(1);
  });

  it('truncated (length): a 200 whose JSON is cut, with a Content-Length that matches', async () => {
    const c = await startFaulted({
      rules: [{ kind: 'truncated', truncate: 'length', rate: 1, cloud: ['azure', 'gcp'] }],
    });
    for (const r of [await arm(c, MC_LIST), await gke(c, GKE_LIST)]) {
      expect(r.status).toBe(200);
      expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
      expect(r.body.length).toBeGreaterThan(0);
      expect(() => JSON.parse(r.body)).toThrow();
    }
    expect(c.faults.injected.map((f) => f.detail)).toEqual(['length', 'length']);
  });

  it('truncated (close): the connection closes before Content-Length is reached', async () => {
    const c = await startFaulted({
      rules: [{ kind: 'truncated', truncate: 'close', rate: 1, except: [{ action: 'AssumeRole' }] }],
    });
    await expect(arm(c, MC_LIST)).rejects.toThrow();
    await expect(gke(c, GKE_LIST)).rejects.toThrow();
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toThrow();
    expect(c.count({ fault: 'truncated', status: 200 })).toBe(3);
  });

  it('truncated XML (awsQuery) with either variant, chosen by the seed', async () => {
    const c = await startFaulted({ seed: 3, rules: [{ kind: 'truncated', rate: 1, service: 'iam' }] });
    const iam = new IAMClient({
      ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }),
      maxAttempts: 1,
    });
    for (let i = 0; i < 6; i++) await expect(iam.send(new ListRolesCommand({}))).rejects.toThrow();
    expect(new Set(c.faults.injected.map((f) => f.detail))).toEqual(new Set(['close', 'length']));
  });

  it('garbage: a 200 whose body is neither JSON nor XML', async () => {
    const c = await startFaulted({ rules: [{ kind: 'garbage', rate: 1, except: [{ action: 'AssumeRole' }] }] });
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toThrow();
    for (const r of [await arm(c, MC_LIST), await gke(c, GKE_LIST)]) {
      expect(r.status).toBe(200);
      expect(r.body).toBe(GARBAGE_BODY);
    }
  });

  it('empty: {} for JSON protocols, an empty result element for awsQuery and ec2Query XML', async () => {
    const c = await startFaulted({ rules: [{ kind: 'empty', rate: 1, except: [{ action: 'AssumeRole' }] }] });
    // The SDK takes these as answers with nothing in them: exactly what a collector must not believe.
    const listed = await eksOf(c).send(new ListClustersCommand({}));
    expect(listed.clusters).toBeUndefined();
    const iam = new IAMClient({
      ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }),
      maxAttempts: 1,
    });
    expect((await iam.send(new ListRolesCommand({}))).Roles).toBeUndefined();
    const ec2 = new EC2Client({ ...simClientConfig(c), maxAttempts: 1 });
    expect((await ec2.send(new DescribeRegionsCommand({}))).Regions).toBeUndefined();
    const raw = await rawRequest(c, 'iam', { body: 'Action=ListRoles&Version=2010-05-08' });
    expect(await raw.text()).toMatch(
      /^<ListRolesResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><ListRolesResult><\/ListRolesResult><ResponseMetadata>/,
    );
    expect((await arm(c, MC_LIST)).body).toBe('{}');
    expect((await gke(c, GKE_LIST)).body).toBe('{}');
  });

  it('empty: the bare root element for XML of any other protocol (REST-XML, such as S3)', async () => {
    const faults = new FaultInjector({ rules: [{ kind: 'empty', rate: 1 }] });
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name></ListBucketResult>';
    const server = createServer((req, res) =>
      faults.deliver({
        cloud: 'aws',
        protocol: 'restXml' as never,
        req,
        res,
        call: { service: 's3', action: 'ListObjectsV2', status: 0 },
        response: { status: 200, headers: { 'content-type': 'application/xml' }, body: xml },
        record: () => {},
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      expect((await rawGet(`http://127.0.0.1:${port}/b?list-type=2`)).body).toBe(
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ListBucketResult>',
      );
    } finally {
      server.close();
    }
  });

  it('empty and the other body faults leave error answers alone', async () => {
    const c = await startFaulted({ rules: [{ kind: 'empty', rate: 1 }] });
    const denied = await arm(
      c,
      '/subscriptions/00000000-0000-4000-8000-000000000000/providers/Microsoft.ContainerService/managedClusters',
    );
    expect(denied.status).toBe(404);
    expect(JSON.parse(denied.body)).toMatchObject({ error: { code: 'SubscriptionNotFound' } });
    expect(c.faults.injected).toEqual([]);
  });

  it('hang: the request is never answered until the client gives up, and close() ends it', async () => {
    const c = await startFaulted({ rules: [{ kind: 'hang', rate: 1, cloud: ['gcp', 'azure'] }] });
    await expect(rawGet(`${c.gcp!.endpoint}${GKE_LIST}`, { timeoutMs: 300 })).rejects.toThrow('client timeout');
    await until(() => c.faults.hanging === 0); // the client gave up: the socket is gone
    // Released on demand: the client sees its connection dropped.
    const released = arm(c, MC_LIST).then(
      () => 'answered',
      () => 'dropped',
    );
    await until(() => c.faults.hanging === 1);
    c.faults.releaseHung();
    expect(await released).toBe('dropped');
    // And by close(), promptly.
    const pending = gke(c, GKE_LIST).then(
      () => 'answered',
      () => 'dropped',
    );
    await until(() => c.faults.hanging === 1);
    const started = performance.now();
    await c.close();
    cloud = undefined;
    expect(await pending).toBe('dropped');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(c.count({ fault: 'hang', status: 0 })).toBe(3);
  });

  it('slow: the answer comes after slowMs', async () => {
    const c = await startFaulted({ rules: [{ kind: 'slow', rate: 1, slowMs: 300, cloud: 'azure' }] });
    const started = performance.now();
    expect((await arm(c, MC_LIST)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reset: the connection is destroyed without an answer', async () => {
    const c = await startFaulted({ rules: [{ kind: 'reset', rate: 1, except: [{ action: 'AssumeRole' }] }] });
    await expect(gke(c, GKE_LIST)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await expect(arm(c, MC_LIST)).rejects.toThrow();
    await expect(eksOf(c).send(new ListClustersCommand({}))).rejects.toThrow();
    expect(c.count({ fault: 'reset', status: 0 })).toBe(3);
  });
});

describe('repeat-token: a list whose next-page token repeats', () => {
  it('AWS restJson: a first page comes back with a token that names the first page again, forever', async () => {
    const c = await startFaulted({ rules: [{ kind: 'repeat-token', rate: 1, service: 'eks' }] });
    const eks = eksOf(c);
    let pages = 0;
    // The SDK's own paginator is the naive client: it follows whatever token it gets.
    for await (const page of paginateListClusters({ client: eks }, {})) {
      expect(page.clusters).toEqual(['alpha', 'bravo']);
      expect(page.nextToken).toBe(`${FAULT_TOKEN_PREFIX}1`);
      if (++pages === 20) break;
    }
    expect(c.faults.count({ kind: 'repeat-token', action: 'ListClusters' })).toBe(20);
  });

  it('AWS restJson: a real token is echoed (A→A), and the loop ends once the plan is cleared', async () => {
    const c = await startFaulted();
    const eks = eksOf(c);
    const first = await eks.send(new ListClustersCommand({}));
    expect(first.nextToken).toBeDefined();
    c.faults.set({ rules: [{ kind: 'repeat-token', rate: 1, action: 'ListClusters' }] });
    for (let i = 0; i < 3; i++) {
      const again = await eks.send(new ListClustersCommand({ nextToken: first.nextToken! }));
      expect(again).toMatchObject({ clusters: ['charlie', 'delta'], nextToken: first.nextToken });
    }
    // Once in the loop, a walk stays in it whatever the rate: a naive client never gets out.
    c.faults.set({ rules: [{ kind: 'repeat-token', rate: 0, action: 'ListClusters' }] });
    expect((await eks.send(new ListClustersCommand({ nextToken: `${FAULT_TOKEN_PREFIX}9` }))).nextToken).toBe(
      `${FAULT_TOKEN_PREFIX}9`,
    );
    c.faults.clear();
    const rest = await eks.send(new ListClustersCommand({ nextToken: first.nextToken! }));
    expect(rest.clusters).toEqual(['charlie', 'delta']);
    const last = await eks.send(new ListClustersCommand({ nextToken: rest.nextToken! }));
    expect(last).toMatchObject({ clusters: ['echo'] });
    expect(last.nextToken).toBeUndefined();
    // A token of ours left over from a cleared plan names the first page: the walk restarts and ends.
    const restarted = await eks.send(new ListClustersCommand({ nextToken: `${FAULT_TOKEN_PREFIX}1` }));
    expect(restarted.clusters).toEqual(['alpha', 'bravo']);
    expect(restarted.nextToken).not.toContain(FAULT_TOKEN_PREFIX);
  });

  it('IAM (awsQuery): IsTruncated stays true and the Marker repeats', async () => {
    const c = await startFaulted({ rules: [{ kind: 'repeat-token', rate: 1, service: 'iam' }] });
    const iam = new IAMClient({
      ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }),
      maxAttempts: 1,
    });
    let marker: string | undefined;
    for (let i = 0; i < 3; i++) {
      const page = await iam.send(new ListRolesCommand(marker ? { Marker: marker } : {}));
      expect(page.IsTruncated).toBe(true);
      expect(page.Roles?.length).toBe(2);
      expect(page.Marker).toBe(`${FAULT_TOKEN_PREFIX}1`);
      marker = page.Marker;
    }
  });

  it('IAM GetAccountAuthorizationDetails: the Marker repeats, the page is served again', async () => {
    const c = await startFaulted({
      rules: [{ kind: 'repeat-token', rate: 1, service: 'iam', action: 'GetAccountAuthorizationDetails' }],
    });
    const iam = new IAMClient({
      ...simClientConfig(c, { credentials: readerCredentials(c, '111111111111') }),
      maxAttempts: 1,
    });
    const first = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    const again = await iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: first.Marker }));
    expect(first.IsTruncated).toBe(true);
    expect(again.Marker).toBe(first.Marker);
    expect(again.RoleDetailList).toEqual(first.RoleDetailList);
  });

  it('ARM: the nextLink leads back to the same page', async () => {
    const c = await startFaulted({ rules: [{ kind: 'repeat-token', rate: 1, cloud: 'azure' }] });
    const first = JSON.parse((await arm(c, MC_LIST)).body) as { value: { name: string }[]; nextLink: string };
    expect(first.value.map((v) => v.name)).toEqual(['one', 'two']);
    expect(first.nextLink).toContain(`%24skipToken=${FAULT_TOKEN_PREFIX}1`);
    const second = JSON.parse((await rawGet(first.nextLink, { ca: c.azure!.ca })).body) as typeof first;
    expect(second).toEqual(first);
  });

  it('GKE: Resource Manager projects.list repeats its nextPageToken; clusters.list (unpaged in GKE) is left alone', async () => {
    const c = await startFaulted({ rules: [{ kind: 'repeat-token', rate: 1, cloud: 'gcp' }] });
    const first = JSON.parse((await gke(c, '/v1/projects')).body) as { nextPageToken: string };
    expect(first.nextPageToken).toBe(`${FAULT_TOKEN_PREFIX}1`);
    const again = JSON.parse((await gke(c, `/v1/projects?pageToken=${first.nextPageToken}`)).body);
    expect(again).toEqual(first);
    expect(JSON.parse((await gke(c, GKE_LIST)).body)).not.toHaveProperty('nextPageToken');
    expect(c.faults.injected.map((f) => `${f.service} ${f.action}`)).toEqual([
      'crm projects.list',
      'crm projects.list',
    ]);
  });
});

async function until(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
