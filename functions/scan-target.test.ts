import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { anEksCluster, TEST_NOW } from '../checks/eks/builders.ts';
import { checks } from '../checks/index.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { Collector, Target } from '../core/target.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { memoryObjectStore } from './objects.ts';
import { withMiddleware } from './powertools.ts';
import {
  configFromEnv,
  handler as deployedHandler,
  logger,
  makeScanTargetHandler,
  type ScanTargetDeps,
  type ScanTargetOutput,
  type StoredTargetResult,
} from './scan-target.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function aLambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'kubeposture-scan-target',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:kubeposture-scan-target`,
    memoryLimitInMB: '512',
    awsRequestId: '6f1c2a9e-0d3b-4c55-9d1e-2b7f5a8c9e01',
    logGroupName: '/aws/lambda/kubeposture-scan-target',
    logStreamName: '2026/06/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 300_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Captures what the Powertools logger writes (it prints JSON lines to stdout/stderr). */
function captureLogs() {
  const chunks: string[] = [];
  const sink = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(sink);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(sink);
  return {
    text: () => chunks.join(''),
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

function fakeCollector(collect: Collector['collect']): Collector & { targets: Target[] } {
  const targets: Target[] = [];
  return {
    provider: 'aws',
    targets,
    plan: async () => ({ targets: [], errors: [] }),
    collect: async (t) => {
      targets.push(t);
      return collect(t);
    },
  };
}

/**
 * The handler in its middleware, returning what it wrote to the results store (the findings) with
 * the small output the Distributed Map gets in `output`.
 */
function build(deps: ScanTargetDeps) {
  const handler = withMiddleware(makeScanTargetHandler(deps));
  return async (event: unknown, context: Context): Promise<StoredTargetResult & { output: ScanTargetOutput }> => {
    const output = await handler(event, context);
    const stored = await deps.objects.get(output.resultKey);
    return { ...(JSON.parse(stored!) as StoredTargetResult), output };
  };
}

function depsWith(collector: Collector, overrides: Partial<ScanTargetDeps> = {}): ScanTargetDeps {
  return {
    objects: memoryObjectStore(),
    collectorFor: () => collector,
    checks,
    config: parseConfig({}),
    clock: () => TEST_NOW,
    ...overrides,
  };
}

const target = { provider: 'aws', accountId: ACCOUNT, region: REGION } as const;
const event = { scanId: '20260601T120000Z-3f9a1c', target };

describe('scan-target handler', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('collects and evaluates the one target it is given and labels the result with the scan', async () => {
    // Prepare
    const open = anEksCluster({
      name: 'open',
      accountId: ACCOUNT,
      region: REGION,
      cluster: { resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] } },
    });
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [open], errors: [] }));
    const handler = build(depsWith(collector));

    // Act
    const out = await handler(event, aLambdaContext());

    // Assess
    expect(collector.targets).toEqual([target]);
    expect(out.scanId).toBe(event.scanId);
    expect(out.target).toEqual(target);
    expect(out.summary).toEqual({
      provider: 'aws',
      accountId: ACCOUNT,
      region: REGION,
      status: 'scanned',
      clusters: 1,
    });
    expect(out.errors).toEqual([]);
    expect(new Set(out.findings.map((f) => f.checkId))).toEqual(
      new Set(checks.filter((c) => c.provider === 'aws').map((c) => c.id)),
    );
    expect(out.findings.every((f) => f.clusterName === 'open' && f.accountId === ACCOUNT)).toBe(true);
    expect(out.findings.find((f) => f.checkId === 'EKS.ENDPOINT.1')?.status).toBe('FAIL');
  });

  it('logs the counts with the scan, account, region and Lambda context, and drops the keys afterwards', async () => {
    // Prepare
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [anEksCluster()], errors: [] }));
    const handler = build(depsWith(collector));

    // Act
    const out = await handler(event, aLambdaContext());
    await handler({ ...event, scanId: 'second-scan', target: { ...target, region: 'us-east-1' } }, aLambdaContext());

    // Assess
    const scanned = logs.records().filter((r) => r.message === 'Target scanned');
    expect(scanned).toHaveLength(2);
    expect(scanned[0]).toMatchObject({
      level: 'INFO',
      service: 'kubeposture',
      scanId: event.scanId,
      accountId: ACCOUNT,
      region: REGION,
      function_request_id: aLambdaContext().awsRequestId,
      status: 'scanned',
      clusters: 1,
      findings: out.findings.length,
      errors: 0,
      byStatus: { PASS: out.findings.filter((f) => f.status === 'PASS').length },
    });
    expect(scanned[1]).toMatchObject({ scanId: 'second-scan', region: 'us-east-1' });
    logger.info('between invocations');
    const between = logs.records().find((r) => r.message === 'between invocations');
    expect(between).not.toHaveProperty('scanId');
    expect(between).not.toHaveProperty('accountId');
  });

  it('reports a collector that throws as an error of the target, with no PASS, without failing the invocation', async () => {
    // Prepare
    const collector = fakeCollector(async () => {
      throw new Error('socket hang up');
    });
    const handler = build(depsWith(collector));

    // Act
    const out = await handler(event, aLambdaContext());

    // Assess
    expect(out.summary.status).toBe('failed');
    expect(out.errors).toEqual([{ ...target, stage: 'collect', code: 'Unknown', message: 'socket hang up' }]);
    expect(out.findings.filter((f) => f.status === 'PASS')).toEqual([]);
    expect(logs.records().find((r) => r.message === 'Target error')).toMatchObject({
      stage: 'collect',
      code: 'Unknown',
    });
  });

  it('builds a collector per invocation, so a warm container carries nothing from one scan to the next', async () => {
    // Prepare
    const collectorFor = vi.fn(() => fakeCollector(async (t) => ({ target: t, snapshots: [], errors: [] })));
    const handler = build({ ...depsWith(fakeCollector(async () => ({}) as never)), collectorFor });

    // Act
    await handler(event, aLambdaContext());
    await handler({ ...event, scanId: 'next-scan' }, aLambdaContext());

    // Assess
    expect(collectorFor).toHaveBeenCalledTimes(2);
  });

  it('is idempotent per (scan, target): a retry returns the stored result without collecting again', async () => {
    // Prepare
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [anEksCluster()], errors: [] }));
    const deps = depsWith(collector);
    const handler = build(deps);

    // Act
    const first = await handler(event, aLambdaContext());
    const retry = await handler(event, aLambdaContext());

    // Assess
    expect(collector.targets).toHaveLength(1);
    expect(first.output.reused).toBe(false);
    expect(retry.output).toEqual({ ...first.output, reused: true });
    expect(first.output.resultKey).toBe(`scans/${event.scanId}/results/aws/${ACCOUNT}/${REGION}.json`);
    expect(first.output.findings).toBe(first.findings.length);
    // The Distributed Map keeps every child's output: it carries counts, never findings.
    expect(JSON.stringify(first.output).length).toBeLessThan(1024);
  });

  it('gives the collector a cluster scan’s one cluster, and keeps its result under a key of its own', async () => {
    // Prepare
    const arn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/b`;
    const b = anEksCluster({ name: 'b', accountId: ACCOUNT, region: REGION });
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [b], errors: [] }));

    // Act
    const out = await build(depsWith(collector))({ ...event, cluster: arn }, aLambdaContext());

    // Assess
    expect(collector.targets.map((t) => t.cluster?.id)).toEqual([arn]);
    expect(out.output.summary).toMatchObject({ clusterId: arn, clusters: 1 });
    expect(out.output.resultKey).toBe(`scans/${event.scanId}/results/aws/${ACCOUNT}/${REGION}/clusters/b.json`);
  });

  it('refuses a cluster that is not of the item’s target, naming the field', async () => {
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [], errors: [] }));
    const other = `arn:aws:eks:ap-south-1:${ACCOUNT}:cluster/b`;
    await expect(build(depsWith(collector))({ ...event, cluster: other }, aLambdaContext())).rejects.toThrow(
      'cluster: must be a cluster of the target',
    );
    expect(collector.targets).toEqual([]);
  });

  it('evaluates with the clock it is given and the configured check settings', async () => {
    // Prepare
    const config = parseConfig({ checks: { logging: { requiredTypes: ['api'] } } });
    const noApiLogs = anEksCluster({
      cluster: { logging: { clusterLogging: [{ types: ['audit', 'authenticator'], enabled: true }] } },
    });
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [noApiLogs], errors: [] }));
    const handler = build(depsWith(collector, { config }));

    // Act
    const out = await handler(event, aLambdaContext());

    // Assess
    const logging = out.findings.find((f) => f.category === 'logging');
    expect(logging?.status).toBe('FAIL');
    expect(logging?.message).toContain('api');
  });

  it('does not run the checks that checks.disabled names, as the CLI does not', async () => {
    // Prepare
    const config = parseConfig({ checks: { disabled: ['EKS.LOGGING.*'] } });
    const collector = fakeCollector(async (t) => ({ target: t, snapshots: [anEksCluster()], errors: [] }));
    const handler = build(depsWith(collector, { config }));

    // Act
    const out = await handler(event, aLambdaContext());

    // Assess
    expect(out.findings.length).toBeGreaterThan(0);
    expect(out.findings.filter((f) => f.checkId.startsWith('EKS.LOGGING.'))).toEqual([]);
  });

  describe('refuses an invalid event, naming the field and not echoing the value', () => {
    const cases: { name: string; event: unknown; field: RegExp; secret?: string }[] = [
      { name: 'an empty event', event: {}, field: /scanId: .*; target: / },
      { name: 'an event that is not an object', event: 'scan it', field: /\(root\)/, secret: 'scan it' },
      {
        name: 'a scan id with unsafe characters',
        event: { ...event, scanId: '../../etc/passwd' },
        field: /scanId/,
        secret: 'passwd',
      },
      { name: 'a missing target', event: { scanId: 'x' }, field: /target/ },
      {
        name: 'a cloud kubeposture does not scan',
        event: { ...event, target: { ...target, provider: 'oci' } },
        field: /target\.provider/,
      },
      {
        name: 'an account id that is not 12 digits',
        event: { ...event, target: { ...target, accountId: '12345' } },
        field: /target\.accountId/,
        secret: '12345',
      },
      {
        name: 'a malformed region',
        event: { ...event, target: { ...target, region: 'EU_WEST' } },
        field: /target\.region/,
        secret: 'EU_WEST',
      },
      {
        name: 'an unexpected field',
        event: { ...event, credentials: { secretAccessKey: 'wJalrXUtnFEMI' } },
        field: /credentials/,
        secret: 'wJalrXUtnFEMI',
      },
    ];
    it.each(cases)('$name', async (c) => {
      // Prepare
      const collector = fakeCollector(async (t) => ({ target: t, snapshots: [], errors: [] }));
      const handler = build(depsWith(collector));

      // Act
      const error = await handler(c.event, aLambdaContext()).then(
        () => undefined,
        (e: unknown) => e as Error,
      );

      // Assess
      expect(error?.name).toBe('InvalidInputError');
      expect(error?.message).toMatch(/^Invalid scan-target input: /);
      expect(error?.message).toMatch(c.field);
      if (c.secret) {
        expect(error?.message).not.toContain(c.secret);
        expect(logs.text()).not.toContain(c.secret);
      }
      expect(collector.targets).toEqual([]);
      expect(logs.records().find((r) => r.message === 'Rejected invalid input')).toBeDefined();
    });
  });
});

describe('scan-target configuration', () => {
  it('uses the defaults when KUBEPOSTURE_CONFIG is unset or empty', () => {
    expect(configFromEnv({})).toEqual(parseConfig({}));
    expect(configFromEnv({ KUBEPOSTURE_CONFIG: '  ' })).toEqual(parseConfig({}));
  });

  it('reads KUBEPOSTURE_CONFIG as JSON with the CLI schema', () => {
    const config = configFromEnv({ KUBEPOSTURE_CONFIG: '{"aws":{"regions":["eu-west-1"],"roleName":"Audit"}}' });
    expect(config.aws.regions).toEqual(['eu-west-1']);
    expect(config.aws.roleName).toBe('Audit');
  });

  it('fails when the handler is built (cold start), naming the bad field', () => {
    const deps = {
      ...depsWith(fakeCollector(async () => ({}) as never)),
      get config() {
        return configFromEnv({ KUBEPOSTURE_CONFIG: '{"aws":{"regions":["mars-1"]},"colour":"blue"}' });
      },
    };
    expect(() => makeScanTargetHandler(deps)).toThrow(ConfigError);
    expect(() => makeScanTargetHandler(deps)).toThrow(/KUBEPOSTURE_CONFIG[\s\S]*aws\.regions\[0\][\s\S]*colour/);
  });

  it('says KUBEPOSTURE_CONFIG is not JSON without quoting it', () => {
    const attempt = () => configFromEnv({ KUBEPOSTURE_CONFIG: "{ externalId: 'tenant-secret' }" });
    expect(attempt).toThrow('KUBEPOSTURE_CONFIG is not valid JSON');
    try {
      attempt();
    } catch (e) {
      expect((e as Error).message).not.toContain('tenant-secret');
    }
  });
});

describe('the deployed handler', () => {
  it('is the middy-wrapped scan-target handler, built from the environment', async () => {
    const logs = captureLogs();
    try {
      await expect(deployedHandler({ scanId: 'x' }, aLambdaContext())).rejects.toThrow(/target: /);
      expect(logs.records().find((r) => r.message === 'Rejected invalid input')).toMatchObject({
        function_name: 'kubeposture-scan-target',
      });
    } finally {
      logs.restore();
    }
  });
});

describe('scan-target against the simulated fleet (sim/fleets/sample.yaml)', () => {
  const PROD = '111111111111';
  const VENDOR = '333333333333'; // AssumeRole denied in the sample fleet
  let cloud: SimulatedCloud;
  let config: ScanConfig;
  let invoke: (event: unknown) => Promise<StoredTargetResult & { output: ScanTargetOutput }>;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    cloud = await startSimulatedCloud(await loadSampleFleet());
    // The scanner's config names the member accounts, as a deployment would.
    config = parseConfig({
      aws: {
        roleName: cloud.spec.readerRoleName,
        accounts: cloud.spec.accounts.map((a) => ({
          id: a.id,
          ...(a.readerRoleName ? { roleName: a.readerRoleName } : {}),
          ...(a.externalId ? { externalId: a.externalId } : {}),
        })),
        maxAttempts: 2,
        retryBaseDelayMs: 1,
      },
    });
    const deps: ScanTargetDeps = {
      objects: memoryObjectStore(),
      collectorFor: (_provider, c) =>
        createAwsCollector(c, {
          endpoint: cloud.aws.endpoint,
          credentials: cloud.callerCredentials,
          homeRegion: 'us-east-1',
        }),
      checks,
      config,
      clock: () => TEST_NOW,
    };
    const handler = build(deps);
    invoke = (event) => handler(event, aLambdaContext());
  });
  afterAll(() => cloud?.close());
  beforeEach(() => {
    logs = captureLogs();
  });
  afterEach(() => logs.restore());

  it('reports every check on every cluster of the target, and nothing of other targets', async () => {
    // Act
    const out = await invoke({ scanId: 'sim-1', target: { provider: 'aws', accountId: PROD, region: 'us-east-1' } });

    // Assess
    const expected = cloud.fleet.clusters(PROD, 'us-east-1').map((c) => c.cluster.name);
    expect(expected.length).toBeGreaterThan(1);
    expect(out.summary).toMatchObject({
      accountId: PROD,
      region: 'us-east-1',
      status: 'scanned',
      clusters: expected.length,
    });
    expect(out.errors).toEqual([]);
    expect(new Set(out.findings.map((f) => f.clusterName))).toEqual(new Set(expected));
    expect(out.findings.every((f) => f.accountId === PROD && f.region === 'us-east-1')).toBe(true);
    for (const name of expected) {
      const checkIds = new Set(out.findings.filter((f) => f.clusterName === name).map((f) => f.checkId));
      expect(checkIds, name).toEqual(new Set(checks.filter((c) => c.provider === 'aws').map((c) => c.id)));
    }
    // The sample fleet's notes: checkout-api is world-open, payments-prod is private only.
    const endpoint = (name: string) =>
      out.findings.find((f) => f.clusterName === name && f.checkId === 'EKS.ENDPOINT.1');
    expect(endpoint('checkout-api')?.status).toBe('FAIL');
    expect(endpoint('payments-prod')?.status).toBe('PASS');
    // It went through the reader role of the target account, not the scanner's own identity.
    expect(cloud.count({ service: 'sts', action: 'AssumeRole' })).toBeGreaterThan(0);
    expect(
      cloud.count({ service: 'eks', action: 'ListClusters', accountId: PROD, region: 'us-east-1' }),
    ).toBeGreaterThan(0);
    expect(cloud.count({ service: 'eks', accountId: cloud.spec.caller.accountId })).toBe(0);
  });

  it('reports an enabled region without clusters as scanned, with no findings', async () => {
    const out = await invoke({
      scanId: 'sim-2',
      target: { provider: 'aws', accountId: PROD, region: 'ap-southeast-2' },
    });
    expect(out.summary).toMatchObject({ status: 'scanned', clusters: 0 });
    expect(out.errors).toEqual([]);
    expect(out.findings).toEqual([]);
  });

  it('reports a denied account as an error, with no PASS for clusters it could not see', async () => {
    // Act
    const out = await invoke({ scanId: 'sim-3', target: { provider: 'aws', accountId: VENDOR, region: 'us-east-1' } });

    // Assess
    expect(cloud.fleet.clusters(VENDOR, 'us-east-1').length).toBeGreaterThan(0);
    expect(out.summary).toMatchObject({ accountId: VENDOR, status: 'failed', clusters: 0 });
    expect(out.errors).toEqual([
      expect.objectContaining({ accountId: VENDOR, region: 'us-east-1', stage: 'assume-role', code: 'AccessDenied' }),
    ]);
    expect(out.findings.filter((f) => f.status === 'PASS')).toEqual([]);
    expect(cloud.count({ service: 'eks', accountId: VENDOR })).toBe(0);
    expect(logs.records().find((r) => r.message === 'Target error')).toMatchObject({
      scanId: 'sim-3',
      accountId: VENDOR,
      stage: 'assume-role',
      code: 'AccessDenied',
    });
  });

  it('never logs credentials', async () => {
    await invoke({ scanId: 'sim-4', target: { provider: 'aws', accountId: PROD, region: 'eu-west-1' } });
    await invoke({ scanId: 'sim-5', target: { provider: 'aws', accountId: VENDOR, region: 'us-east-1' } });
    const text = logs.text();
    expect(logs.records().filter((r) => r.message === 'Target scanned')).toHaveLength(2);
    expect(text).not.toContain(cloud.callerCredentials.secretAccessKey);
    expect(text).not.toContain(cloud.callerCredentials.accessKeyId);
    expect(text).not.toMatch(/secretAccessKey|sessionToken|SecretAccessKey|SessionToken/);
  });
});
