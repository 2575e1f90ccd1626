import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../core/finding.ts';
import { assembleReport } from '../core/scan.ts';
import { aLambdaContext } from '../test/lambda-context.ts';
import { type LocalDynamo, startLocalDynamo } from '../test/local-dynamodb.ts';
import { type ApiDeps, idempotencyStore, idempotentStarts, latestReportFindings, makeApiHandler } from './api.ts';
import { archiveReport } from './finalize.ts';
import { memoryObjectStore, scanKeys } from './objects.ts';
import { createDynamoScanRuns, type ScanRuns } from './scan-runs.ts';

const context = aLambdaContext('kubeposture-api', 29_000);

/** An API Gateway REST (v1) proxy event, as the stack's IAM-authorized API delivers it. */
function anEvent(
  method: string,
  path: string,
  opts: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    body: opts.body ?? null,
    headers: opts.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: opts.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    requestContext: {
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      identity: { userArn: 'arn:aws:iam::999999999999:role/SecurityEngineer' },
    } as never,
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function aFinding(overrides: Partial<Finding>): Finding {
  return {
    id: '0'.repeat(32),
    checkId: 'EKS.ENDPOINT.1',
    title: 'EKS API endpoint is not open to the whole internet',
    category: 'endpoint',
    severity: 'high',
    status: 'FAIL',
    provider: 'aws',
    accountId: '111111111111',
    region: 'us-east-1',
    clusterName: 'checkout-api',
    clusterId: 'arn:aws:eks:us-east-1:111111111111:cluster/checkout-api',
    resourceId: 'arn:aws:eks:us-east-1:111111111111:cluster/checkout-api',
    message: 'publicAccessCidrs contains 0.0.0.0/0',
    evidence: {},
    ...overrides,
  };
}

describe('api handler', () => {
  let dynamo: LocalDynamo;
  let runs: ScanRuns;
  let table = 0;
  let tableName = '';
  let deps: ApiDeps;
  let starts: { scanId: string; input: unknown }[];
  let handler: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  const objects = memoryObjectStore();
  let now = new Date('2026-06-01T12:00:00Z');

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo?.close());

  beforeEach(async () => {
    // The logger and EMF metrics write JSON lines; the assertions below read responses, not logs.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    tableName = `state-${++table}`;
    await dynamo.createStateTable(tableName);
    runs = createDynamoScanRuns({ client: dynamo.client, tableName });
    starts = [];
    deps = {
      runs,
      findings: latestReportFindings(runs, objects),
      startExecution: async (scanId, input) => {
        starts.push({ scanId, input });
      },
      once: idempotentStarts(idempotencyStore(dynamo.client, tableName)),
      clock: () => now,
      bucket: 'kubeposture-results-bucket',
    };
    const h = makeApiHandler(deps);
    handler = (e) => h(e as never, context);
    return () => vi.restoreAllMocks();
  });

  describe('POST /scans', () => {
    it('starts a scan and answers 202 with its id, before any scanning happens', async () => {
      // Act
      const res = await handler(
        anEvent('POST', '/scans', {
          body: JSON.stringify({ providers: ['aws'], regions: ['eu-west-1'] }),
          headers: JSON_HEADERS,
        }),
      );

      // Assess
      expect(res.statusCode).toBe(202);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ status: 'QUEUED', links: { self: `/scans/${body.scanId}` } });
      expect(body.scanId).toMatch(/^20260601T120000Z-[0-9a-f]{6}$/);
      expect(res.headers?.Location).toBe(`/scans/${body.scanId}`);
      expect(starts).toEqual([
        {
          scanId: body.scanId,
          input: { scanId: body.scanId, trigger: 'api', filter: { providers: ['aws'], regions: ['eu-west-1'] } },
        },
      ]);
      expect(await runs.get(body.scanId)).toMatchObject({ status: 'QUEUED', trigger: 'api' });
    });

    it('starts a scan of named clusters, each in its canonical form, beside a running full scan', async () => {
      // Prepare: the scheduled full scan is running; a change-driven cluster scan must not wait a day for it.
      await runs.update('20260601T113000Z-aaaaaa', { status: 'RUNNING', trigger: 'schedule', startedAt: 'x' });
      const eks = 'arn:aws:eks:us-east-1:111111111111:cluster/checkout-api';
      const gke = 'projects/shop-prod-4821/locations/europe-west1/clusters/storefront';

      // Act
      const res = await handler(
        anEvent('POST', '/scans', {
          body: JSON.stringify({ clusters: [eks, `https://container.googleapis.com/v1/${gke}`, eks] }),
          headers: JSON_HEADERS,
        }),
      );
      const again = await handler(
        anEvent('POST', '/scans', { body: JSON.stringify({ clusters: [gke] }), headers: JSON_HEADERS }),
      );

      // Assess
      expect(res.statusCode, res.body).toBe(202);
      const { scanId } = JSON.parse(res.body);
      expect(starts).toEqual([{ scanId, input: { scanId, trigger: 'api', filter: { clusters: [eks, gke] } } }]);
      // A second scan of a cluster already being scanned is refused, naming the first.
      expect(again.statusCode).toBe(409);
      expect(JSON.parse(again.body).scanId).toBe(scanId);
    });

    it('accepts an empty body: a full scan', async () => {
      const res = await handler(anEvent('POST', '/scans'));
      expect(res.statusCode).toBe(202);
      expect(starts[0]!.input).toEqual({ scanId: JSON.parse(res.body).scanId, trigger: 'api' });
    });

    it('starts one scan for a retried request with the same Idempotency-Key, and answers both alike', async () => {
      // Prepare
      const request = () =>
        anEvent('POST', '/scans', {
          body: JSON.stringify({ accounts: ['111111111111'] }),
          headers: { ...JSON_HEADERS, 'Idempotency-Key': '5b0e7a52-4d0c-4f5e-9c7a-1f0b8c2d3e4f' },
        });

      // Act
      const first = await handler(request());
      now = new Date('2026-06-01T12:00:05Z');
      const retry = await handler(request());

      // Assess
      expect(first.statusCode).toBe(202);
      expect(retry.statusCode).toBe(202);
      expect(JSON.parse(retry.body)).toEqual(JSON.parse(first.body));
      expect(starts).toHaveLength(1);
    });

    it('lets an in-progress key expire with the invocation (the Lambda context is registered), not after 24 hours', async () => {
      let inProgress: Record<string, { N?: string; S?: string }>[] = [];
      deps.startExecution = async (scanId, input) => {
        starts.push({ scanId, input });
        const items = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
        inProgress = (items.Items ?? []).filter((i) => i.pk?.S === 'IDEMPOTENCY') as typeof inProgress;
      };
      const h = makeApiHandler(deps);
      const before = Date.now();
      const res = await h(
        anEvent('POST', '/scans', {
          body: '{}',
          headers: { ...JSON_HEADERS, 'idempotency-key': 'client-key-0002' },
        }) as never,
        context,
      );
      expect(res.statusCode).toBe(202);
      expect(inProgress).toHaveLength(1);
      // The context says 29 s remain: the record's in-progress expiry is about then (milliseconds since the epoch).
      const expiry = Number(inProgress[0]!.in_progress_expiration?.N);
      expect(expiry).toBeGreaterThanOrEqual(before + 29_000);
      expect(expiry).toBeLessThan(Date.now() + 29_000 + 1);
    });

    it('refuses the same Idempotency-Key with a different body (422) and starts nothing more', async () => {
      const key = { ...JSON_HEADERS, 'idempotency-key': 'client-key-0001' };
      await handler(anEvent('POST', '/scans', { body: '{"providers":["aws"]}', headers: key }));
      const res = await handler(anEvent('POST', '/scans', { body: '{"providers":["gcp"]}', headers: key }));
      expect(res.statusCode).toBe(422);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'IdempotencyKeyReused' });
      expect(starts).toHaveLength(1);
    });

    describe('refuses a malformed request with 400 naming the field, and starts nothing', () => {
      const cases: { name: string; body?: string; headers?: Record<string, string>; field: string; secret?: string }[] =
        [
          {
            name: 'a provider it does not scan',
            body: '{"providers":["oracle"]}',
            field: 'body.providers[0]',
            secret: 'oracle',
          },
          {
            name: 'an unknown field',
            body: '{"accounts":["111111111111"],"colour":"blue"}',
            field: 'body',
            secret: 'blue',
          },
          { name: 'an account id of no cloud', body: '{"accounts":["12"]}', field: 'body.accounts[0]' },
          { name: 'a malformed region', body: '{"regions":["EU_WEST"]}', field: 'body.regions[0]', secret: 'EU_WEST' },
          { name: 'an empty list', body: '{"clusters":[]}', field: 'body.clusters' },
          {
            name: 'a cluster entry that is not a cluster id',
            body: '{"clusters":["arn:aws:eks:us-east-1:111111111111:cluster/a","prod-cluster"]}',
            field: 'body.clusters[1]',
          },
          {
            name: 'clusters with accounts',
            body: '{"clusters":["arn:aws:eks:us-east-1:111111111111:cluster/a"],"accounts":["111111111111"]}',
            field: 'body.clusters',
          },
          { name: 'a body that is not an object', body: '[1,2]', field: 'body' },
          { name: 'a body that is not JSON', body: '{"providers": [aws', field: 'body', secret: '[aws' },
          {
            name: 'an Idempotency-Key with unsafe characters',
            headers: { 'Idempotency-Key': 'x"; DROP' },
            field: 'header.Idempotency-Key',
            secret: 'DROP',
          },
        ];
      it.each(cases)('$name', async (c) => {
        // Act
        const res = await handler(
          anEvent('POST', '/scans', { body: c.body ?? '', headers: { ...JSON_HEADERS, ...c.headers } }),
        );

        // Assess
        expect(res.statusCode).toBe(400);
        expect(res.headers?.['Content-Type']).toBe('application/json');
        const body = JSON.parse(res.body);
        expect(body.error).toBe('BadRequest');
        expect(body.message).toContain(c.field);
        if (c.secret) expect(res.body).not.toContain(c.secret);
        expect(starts).toEqual([]);
      });
    });

    it('refuses a body that is not JSON by its content type (415)', async () => {
      const res = await handler(
        anEvent('POST', '/scans', { body: 'providers=aws', headers: { 'Content-Type': 'text/plain' } }),
      );
      expect(res.statusCode).toBe(415);
    });

    it('answers an internal failure with a bare 500 that names nothing inside', async () => {
      // Prepare
      deps.startExecution = async () => {
        throw new Error('AccessDeniedException: arn:aws:states:eu-west-1:999999999999:stateMachine:KubepostureScan');
      };
      const h = makeApiHandler(deps);

      // Act
      const res = await h(anEvent('POST', '/scans') as never, context);

      // Assess
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: 'InternalError', message: 'Internal error' });
      expect(res.body).not.toMatch(/arn:|999999999999|AccessDenied/);
    });
  });

  describe('POST /scans while another scan runs', () => {
    const post = (filter?: object, key?: string) =>
      handler(
        anEvent('POST', '/scans', {
          body: filter ? JSON.stringify(filter) : '',
          headers: { ...JSON_HEADERS, ...(key ? { 'Idempotency-Key': key } : {}) },
        }),
      );
    const running = async (scanId: string, filter?: object, startedAt = now) =>
      runs.update(scanId, {
        status: 'RUNNING',
        trigger: 'schedule',
        startedAt: startedAt.toISOString(),
        ...(filter ? { filter } : {}),
      });

    it('refuses an overlapping scan with 409 naming the running one, and starts nothing', async () => {
      // Prepare: a scheduled full scan is running (plan recorded it).
      await running('20260601T113000Z-aaaaaa', undefined, new Date('2026-06-01T11:30:00Z'));

      // Act
      const res = await post({ providers: ['aws'], accounts: ['111111111111'] });

      // Assess
      expect(res.statusCode).toBe(409);
      expect(JSON.parse(res.body)).toMatchObject({
        error: 'ScanInProgress',
        scanId: '20260601T113000Z-aaaaaa',
        links: { scan: '/scans/20260601T113000Z-aaaaaa' },
      });
      expect(JSON.parse(res.body).message).toContain(
        'Scan 20260601T113000Z-aaaaaa is RUNNING since 2026-06-01T11:30:00',
      );
      expect(starts).toEqual([]);
    });

    it('refuses a second request for the scope of a queued one (the first has not reached plan yet)', async () => {
      const first = await post({ regions: ['eu-west-1'] });
      const second = await post();
      expect(first.statusCode).toBe(202);
      expect(second.statusCode).toBe(409);
      expect(JSON.parse(second.body).scanId).toBe(JSON.parse(first.body).scanId);
    });

    it.each([
      ['another cloud', { providers: ['aws'] }, { providers: ['gcp'] }],
      ['other accounts', { accounts: ['111111111111'] }, { accounts: ['222222222222', 'shop-prod-4821'] }],
      [
        'other AWS regions, AWS only',
        { providers: ['aws'], regions: ['eu-west-1'] },
        { regions: ['us-east-1'], providers: ['aws'] },
      ],
    ])('starts a scan whose scope does not overlap (%s)', async (_name, active, requested) => {
      await running('20260601T113000Z-aaaaaa', active);
      const res = await post(requested);
      expect(res.statusCode, res.body).toBe(202);
      expect(starts).toHaveLength(1);
    });

    it('still answers a replay of the running scan’s own Idempotency-Key with its original 202', async () => {
      // Prepare
      const first = await post({ accounts: ['111111111111'] }, 'replay-key-0001');
      const { scanId } = JSON.parse(first.body);
      await running(scanId, { accounts: ['111111111111'] });

      // Act
      const replay = await post({ accounts: ['111111111111'] }, 'replay-key-0001');
      const other = await post({ accounts: ['111111111111'] }, 'other-key-0002');

      // Assess
      expect(replay.statusCode).toBe(202);
      expect(JSON.parse(replay.body)).toEqual(JSON.parse(first.body));
      expect(other.statusCode).toBe(409);
      expect(JSON.parse(other.body).scanId).toBe(scanId);
      // The refusal is not remembered against its key: once the scan is done, the same request starts one.
      await runs.update(scanId, { status: 'SUCCEEDED' });
      const later = await post({ accounts: ['111111111111'] }, 'other-key-0002');
      expect(later.statusCode).toBe(202);
      expect(JSON.parse(later.body).scanId).not.toBe(scanId);
      expect(starts).toHaveLength(2);
    });

    it('no longer counts a run left RUNNING past the workflow timeout (6 h + 15 min)', async () => {
      await running('20260601T050000Z-aaaaaa', undefined, new Date('2026-06-01T05:00:00Z'));
      expect((await post()).statusCode).toBe(202);
      await running('20260601T070000Z-bbbbbb', undefined, new Date('2026-06-01T07:00:00Z'));
      expect((await post()).statusCode).toBe(409);
    });

    it('marks a scan whose start failed FAILED, so it blocks nothing', async () => {
      const start = deps.startExecution;
      deps.startExecution = async () => {
        throw new Error('ServiceUnavailable');
      };
      const failed = await makeApiHandler(deps)(anEvent('POST', '/scans') as never, context);
      deps.startExecution = start;
      expect(failed.statusCode).toBe(500);
      expect((await post()).statusCode).toBe(202);
    });

    it('admits exactly one of many overlapping requests arriving together', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => post({ providers: ['aws'] })));
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes).toEqual([202, 409, 409, 409, 409, 409]);
      const admitted = JSON.parse(results.find((r) => r.statusCode === 202)!.body).scanId;
      for (const r of results.filter((x) => x.statusCode === 409)) expect(JSON.parse(r.body).scanId).toBe(admitted);
      expect(starts).toHaveLength(1);
    });

    it('takes over an admission lease its holder left behind, and answers 503 while one is held', async () => {
      const lease = (leaseUntil: number) =>
        dynamo.client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: 'LOCK' },
              sk: { S: 'scan-admission' },
              owner: { S: 'dead-lambda' },
              leaseUntil: { N: String(leaseUntil) },
            },
          }),
        );
      await lease(Date.now() - 1);
      expect((await post({ providers: ['aws'] })).statusCode).toBe(202);
      await lease(Date.now() + 60_000);
      const busy = await post({ providers: ['gcp'] });
      expect(busy.statusCode).toBe(503);
      expect(busy.headers?.['Retry-After']).toBe('1');
    }, 15_000);
  });

  describe('GET /scans/{id}', () => {
    it('shows a scan with its status, counts and report link, and not its execution ARN', async () => {
      // Prepare
      const started = JSON.parse((await handler(anEvent('POST', '/scans'))).body);
      await runs.update(started.scanId, {
        status: 'SUCCEEDED',
        executionId: 'arn:aws:states:eu-west-1:999999999999:execution:Scan:x',
        targets: 3,
        reportKey: scanKeys.report(started.scanId),
      });

      // Act
      const res = await handler(anEvent('GET', `/scans/${started.scanId}`));

      // Assess
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({
        scanId: started.scanId,
        status: 'SUCCEEDED',
        trigger: 'api',
        targets: 3,
        report: { s3Uri: `s3://kubeposture-results-bucket/scans/${started.scanId}/report.json` },
      });
      expect(res.body).not.toContain('arn:aws:states');
    });

    it('shows a skipped scheduled scan with the scan that blocked it', async () => {
      // Prepare: a scheduled scan that found an overlapping one running (functions/plan.ts)
      const scanId = '20260601T050000Z-5c4ed1';
      await runs.update(scanId, {
        status: 'SKIPPED',
        trigger: 'schedule',
        requestedAt: '2026-06-01T05:00:00.000Z',
        finishedAt: '2026-06-01T05:00:00.000Z',
        blockedBy: '20260601T043000Z-b10c4e',
      });

      // Act
      const res = await handler(anEvent('GET', `/scans/${scanId}`));

      // Assess
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({
        scanId,
        status: 'SKIPPED',
        trigger: 'schedule',
        requestedAt: '2026-06-01T05:00:00.000Z',
        finishedAt: '2026-06-01T05:00:00.000Z',
        blockedBy: '20260601T043000Z-b10c4e',
        links: { blockedBy: '/scans/20260601T043000Z-b10c4e' },
      });
    });

    it('answers 404 for an unknown scan and 400 naming the id for a malformed one', async () => {
      expect((await handler(anEvent('GET', '/scans/20990101T000000Z-000000'))).statusCode).toBe(404);
      const bad = await handler(anEvent('GET', '/scans/..%2F..%2Fetc'));
      expect(bad.statusCode).toBe(400);
      expect(JSON.parse(bad.body).message).toContain('path.id');
    });
  });

  describe('GET /findings', () => {
    const scanId = '20260601T130000Z-aaaaaa';
    beforeEach(async () => {
      const findings = [
        aFinding({ id: '1'.repeat(32), severity: 'critical' }),
        aFinding({ id: '2'.repeat(32), clusterName: 'payments-prod', status: 'PASS' }),
        aFinding({ id: '3'.repeat(32), provider: 'gcp', accountId: 'shop-prod-4821', checkId: 'GKE.ENDPOINT.1' }),
        aFinding({ id: '4'.repeat(32), severity: 'low', checkId: 'EKS.LOGGING.1' }),
      ];
      const report = assembleReport({
        scan: {
          id: scanId,
          startedAt: '2026-06-01T13:00:00Z',
          finishedAt: '2026-06-01T13:05:00Z',
          trigger: 'schedule',
        },
        targets: [],
        errors: [],
        findings,
      });
      await objects.put(scanKeys.report(scanId), JSON.stringify(report));
      await runs.update(scanId, { status: 'SUCCEEDED', trigger: 'schedule', requestedAt: '2026-06-01T13:00:00Z' });
      await runs.update('20260601T140000Z-bbbbbb', { status: 'RUNNING', trigger: 'schedule' });
    });

    it('lists the newest finished scan’s findings, filtered, worst first', async () => {
      const res = await handler(anEvent('GET', '/findings', { query: { status: 'FAIL', provider: 'aws' } }));
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.scanId).toBe(scanId);
      expect(body.items.map((f: Finding) => f.id[0])).toEqual(['1', '4']);
      expect(body.nextToken).toBeUndefined();
    });

    it('pages with a token bound to its scan', async () => {
      const first = JSON.parse((await handler(anEvent('GET', '/findings', { query: { limit: '3' } }))).body);
      const second = JSON.parse(
        (await handler(anEvent('GET', '/findings', { query: { limit: '3', nextToken: first.nextToken } }))).body,
      );
      expect(first.items).toHaveLength(3);
      expect(second.items).toHaveLength(1);
      expect(new Set([...first.items, ...second.items].map((f: Finding) => f.id)).size).toBe(4);
    });

    it('filters by severity, account, cluster and check, each a comma-separated list', async () => {
      const res = await handler(
        anEvent('GET', '/findings', {
          query: {
            severity: 'critical,low',
            account: '111111111111',
            cluster: 'checkout-api',
            check: 'EKS.ENDPOINT.1',
          },
        }),
      );
      expect(JSON.parse(res.body).items.map((f: Finding) => f.id[0])).toEqual(['1']);
    });

    it('refuses a bad filter or page token with 400 naming the parameter', async () => {
      const severity = await handler(anEvent('GET', '/findings', { query: { severity: 'urgent' } }));
      expect(severity.statusCode).toBe(400);
      expect(JSON.parse(severity.body).message).toContain('query.severity[0]');
      const token = await handler(anEvent('GET', '/findings', { query: { nextToken: 'bm9wZQ' } }));
      expect(token.statusCode).toBe(400);
      expect(JSON.parse(token.body).message).toContain('nextToken');
      const unknown = await handler(anEvent('GET', '/findings', { query: { sort: 'asc' } }));
      expect(JSON.parse(unknown.body).message).toContain('query');
    });
  });

  describe('GET /findings from the findings index finalize writes', () => {
    const scanId = '20260602T130000Z-cccccc';
    /** 2,500 findings (3 index pages of 1,000), every fifth failing, one cluster each; the last cluster only in page 3. */
    const findings = Array.from({ length: 2500 }, (_, i) =>
      aFinding({
        id: i.toString(16).padStart(32, '0'),
        clusterName: `c${String(i).padStart(4, '0')}`,
        status: i % 5 === 0 ? 'FAIL' : 'PASS',
      }),
    );
    let ranges: number;
    let reportReads: number;
    beforeEach(async () => {
      await archiveReport(
        objects,
        {
          scan: {
            id: scanId,
            startedAt: '2026-06-02T13:00:00Z',
            finishedAt: '2026-06-02T13:05:00Z',
            trigger: 'schedule',
          },
          parts: (async function* () {
            yield { targets: [], errors: [], findings };
          })(),
        },
        100,
      );
      await runs.update(scanId, { status: 'SUCCEEDED', trigger: 'schedule', requestedAt: '2026-06-02T13:00:00Z' });
      ranges = 0;
      reportReads = 0;
      const range = objects.range.bind(objects);
      const get = objects.get.bind(objects);
      vi.spyOn(objects, 'range').mockImplementation((key, start, end) => {
        ranges++;
        return range(key, start, end);
      });
      vi.spyOn(objects, 'get').mockImplementation((key) => {
        if (key === scanKeys.report(scanId)) reportReads++;
        return get(key);
      });
    });
    const list = async (query: Record<string, string>) => {
      const res = await handler(anEvent('GET', '/findings', { query }));
      expect(res.statusCode).toBe(200);
      return JSON.parse(res.body) as { scanId: string; items: Finding[]; nextToken?: string };
    };

    it('pages through every finding in file order, a page at a time, never reading report.json', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let requests = 0;
      do {
        const page = await list({ limit: '400', ...(token ? { nextToken: token } : {}) });
        expect(page.scanId).toBe(scanId);
        expect(page.items.length).toBeLessThanOrEqual(400);
        seen.push(...page.items.map((f) => f.id));
        token = page.nextToken;
        requests++;
      } while (token);
      expect(seen).toEqual(findings.map((f) => f.id));
      expect(requests).toBe(7);
      expect(reportReads).toBe(0);
      // A 400-finding page reads at most the one or two 1,000-finding pages it spans.
      expect(ranges).toBeLessThanOrEqual(requests * 2);
    });

    it('keeps the filters, skipping index pages that cannot match', async () => {
      const failing = await list({ status: 'FAIL', limit: '500' });
      expect(failing.items).toHaveLength(500);
      expect(failing.items.every((f) => f.status === 'FAIL')).toBe(true);
      const rest = await list({ status: 'FAIL', limit: '500', nextToken: failing.nextToken! });
      expect(rest.items.map((f) => f.id)).toEqual(
        findings
          .filter((f) => f.status === 'FAIL')
          .slice(500)
          .map((f) => f.id),
      );
      expect(rest.nextToken).toBeUndefined();
      ranges = 0;
      const one = await list({ cluster: 'c2499' });
      expect(one.items.map((f) => f.clusterName)).toEqual(['c2499']);
      expect(ranges).toBe(1); // pages 1 and 2 hold no such cluster: only page 3 is read
    });

    it('refuses a token that points past its scan’s findings with 400 naming nextToken', async () => {
      const past = Buffer.from(JSON.stringify({ s: scanId, p: 9, o: 0 })).toString('base64url');
      const res = await handler(anEvent('GET', '/findings', { query: { nextToken: past } }));
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ issues: [{ path: 'query.nextToken' }] });
    });
  });

  it('answers 404 for a path it does not have, and 405 naming the allowed methods for a wrong method', async () => {
    const missing = await handler(anEvent('GET', '/nope'));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'NotFound' });
    const wrong = await handler(anEvent('DELETE', '/scans/20260601T120000Z-abcdef'));
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers?.Allow).toBe('GET');
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'MethodNotAllowed' });
    const put = await handler(anEvent('PUT', '/scans'));
    expect(put.statusCode).toBe(405);
    expect(put.headers?.Allow).toBe('POST');
    expect((await handler(anEvent('GET', '/findings/'))).statusCode).toBe(200);
  });

  describe('answers every malformed event with 400 naming the field, never 500, and starts nothing', () => {
    /** A valid event with some fields replaced (undefined removes one), as a misconfigured integration sends. */
    const shaped = (fields: Record<string, unknown>, base = anEvent('POST', '/scans')) => {
      const e: Record<string, unknown> = { ...base, headers: JSON_HEADERS };
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) delete e[k];
        else e[k] = v;
      }
      return e;
    };
    const cases: { name: string; event: unknown; field: string }[] = [
      { name: 'a body that is an object', event: shaped({ body: { providers: ['aws'] } }), field: 'event.body' },
      { name: 'a body that is a number', event: shaped({ body: 5 }), field: 'event.body' },
      { name: 'a body that is an array', event: shaped({ body: ['aws'] }), field: 'event.body' },
      { name: 'a body that is a JSON array', event: shaped({ body: '["aws"]' }), field: 'body' },
      { name: 'a body that is JSON null', event: shaped({ body: 'null' }), field: 'body' },
      { name: 'a body that is not JSON', event: shaped({ body: '{"providers":' }), field: 'body' },
      { name: 'httpMethod null', event: shaped({ httpMethod: null }), field: 'event.httpMethod' },
      { name: 'httpMethod missing', event: shaped({ httpMethod: undefined }), field: 'event.httpMethod' },
      { name: 'httpMethod a number', event: shaped({ httpMethod: 1 }), field: 'event.httpMethod' },
      { name: 'httpMethod in lower case', event: shaped({ httpMethod: 'post' }), field: 'event.httpMethod' },
      { name: 'path missing', event: shaped({ path: undefined }), field: 'event.path' },
      { name: 'path a number', event: shaped({ path: 7 }), field: 'event.path' },
      { name: 'path without a leading slash', event: shaped({ path: 'scans' }), field: 'event.path' },
      { name: 'headers a string', event: shaped({ headers: 'content-type: x' }), field: 'event.headers' },
      {
        name: 'a header value a number',
        event: shaped({ headers: { 'Idempotency-Key': 12345678 } }),
        field: 'event.headers.Idempotency-Key',
      },
      { name: 'isBase64Encoded a string', event: shaped({ isBase64Encoded: 'yes' }), field: 'event.isBase64Encoded' },
      {
        name: 'queryStringParameters a string',
        event: shaped({ queryStringParameters: 'limit=5' }, anEvent('GET', '/findings')),
        field: 'event.queryStringParameters',
      },
      {
        name: 'a query parameter a number',
        event: shaped({ queryStringParameters: { limit: 5 } }, anEvent('GET', '/findings')),
        field: 'event.queryStringParameters.limit',
      },
      {
        name: 'queryStringParameters an array',
        event: shaped({ queryStringParameters: ['limit'] }, anEvent('GET', '/findings')),
        field: 'event.queryStringParameters',
      },
      {
        name: 'multiValueQueryStringParameters of strings',
        event: shaped({ multiValueQueryStringParameters: { limit: '5' } }, anEvent('GET', '/findings')),
        field: 'event.multiValueQueryStringParameters.limit',
      },
      {
        name: 'pathParameters a number',
        event: shaped({ pathParameters: 3 }, anEvent('GET', '/scans/20260601T120000Z-abcdef')),
        field: 'event.pathParameters',
      },
      { name: 'an event that is null', event: null, field: 'event' },
      { name: 'an event that is a string', event: 'GET /findings', field: 'event' },
      { name: 'an event that is an array', event: [], field: 'event' },
    ];
    it.each(cases)('$name', async (c) => {
      // Act
      const res = await handler(c.event as APIGatewayProxyEvent);

      // Assess
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers?.['Content-Type']).toBe('application/json');
      const body = JSON.parse(res.body);
      expect(body.error).toBe('BadRequest');
      expect(body.message).toContain(c.field);
      expect(starts).toEqual([]);
    });

    it('takes null headers, query and path parameters as none', async () => {
      const e = { ...anEvent('GET', '/findings'), headers: null, multiValueHeaders: null };
      expect((await handler(e as never)).statusCode).toBe(200);
      const post = { ...anEvent('POST', '/scans'), headers: null, multiValueHeaders: null };
      expect((await handler(post as never)).statusCode).toBe(202);
      const withBody = { ...anEvent('POST', '/scans', { body: '{}' }), headers: null };
      expect((await handler(withBody as never)).statusCode).toBe(415);
    });

    it('refuses a body larger than a filter can be (413)', async () => {
      const body = JSON.stringify({ accounts: ['a'.repeat(70_000)] });
      const res = await handler(anEvent('POST', '/scans', { body, headers: JSON_HEADERS }));
      expect(res.statusCode).toBe(413);
      expect(starts).toEqual([]);
    });
  });
});

describe('scan runs in DynamoDB', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    await dynamo.createStateTable('runs');
  });
  afterAll(() => dynamo?.close());

  it('creates a run once, updates fields, and finds the newest finished full scan', async () => {
    const runs = createDynamoScanRuns({ client: dynamo.client, tableName: 'runs' });
    const run = { scanId: '20260601T120000Z-111111', status: 'QUEUED' as const, trigger: 'api', requestedAt: 'x' };
    expect(await runs.create(run)).toBe(true);
    expect(await runs.create(run)).toBe(false);
    await runs.update(run.scanId, { status: 'SUCCEEDED', targets: 2 });
    await runs.update('20260601T130000Z-222222', { status: 'FAILED', trigger: 'schedule' });
    expect(await runs.get(run.scanId)).toEqual({ ...run, status: 'SUCCEEDED', targets: 2 });
    expect((await runs.latestFullScan())?.scanId).toBe(run.scanId);
    // A newer filtered scan saw part of the fleet: it is not the current posture.
    await runs.create({
      scanId: '20260601T140000Z-333333',
      status: 'QUEUED',
      trigger: 'api',
      requestedAt: 'x',
      filter: { clusters: ['arn:aws:eks:us-east-1:111111111111:cluster/checkout-api'] },
    });
    await runs.update('20260601T140000Z-333333', { status: 'SUCCEEDED' });
    expect((await runs.latestFullScan())?.scanId).toBe(run.scanId);
    expect(await runs.get('20990101T000000Z-000000')).toBeUndefined();
  });
});
