import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand, ThrottlingException } from '@aws-sdk/client-eks';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterEach, describe, expect, it } from 'vitest';
import { testFleet } from './aws/fixture.ts';
import { simClientConfig } from './clients.ts';
import { type SimOptions, type SimulatedCloud, startSimulatedCloud } from './index.ts';

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
    const res = await rawRequest(c, 'kms', { body: 'Action=ListKeys' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('does not serve AWS service &apos;kms&apos;');
    expect(c.count({ service: 'kms', status: 400, errorCode: 'UnknownService' })).toBe(1);
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
