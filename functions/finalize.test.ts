/**
 * finalize's Security Hub path: the real handler, publisher and notifier wiring, and the real SDK client
 * (`securityHubClient`, its retry strategy) against a loopback server speaking Security Hub's REST-JSON
 * BatchImportFindings. Also the EMF metrics finalize emits, which the stack's dashboard and alarms read.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../core/finding.ts';
import type { ScanReport } from '../core/report.ts';
import type { Target } from '../core/target.ts';
import { createFolderReportStore, createLocalStateStore } from '../publish/stores/local.ts';
import { aFinding } from '../test/findings.ts';
import { aLambdaContext } from '../test/lambda-context.ts';
import { makeFinalizeHandler } from './finalize.ts';
import { memoryObjectStore, scanKeys } from './objects.ts';
import type { StoredPlan } from './plan.ts';
import { withMiddleware } from './powertools.ts';
import { lifecyclePublisher, notifiersFromEnv, securityHubClient } from './publisher.ts';
import { memoryScanRuns } from './scan-runs.ts';
import type { StoredTargetResult } from './scan-target.ts';
import { METRIC, SECURITY_HUB_IMPORT_KEY } from './stack-contract.ts';

const SECURITY_ACCOUNT = '999999999999';
const TARGET: Target = { provider: 'aws', accountId: '111111111111', region: 'us-east-1' };

/** BatchImportFindings on loopback: records each call; answers the first with a throttling error. */
async function startSecurityHub() {
  const calls: { at: number; findings: AwsSecurityFinding[] }[] = [];
  let throttled = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.url !== '/findings/import') {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: `no route ${req.method} ${req.url}` }));
        return;
      }
      if (throttled === 0) {
        throttled++;
        res.statusCode = 429;
        res.setHeader('x-amzn-errortype', 'TooManyRequestsException');
        res.end(JSON.stringify({ Code: 'TooManyRequestsException', Message: 'Rate exceeded' }));
        return;
      }
      const findings = (JSON.parse(body) as { Findings: AwsSecurityFinding[] }).Findings;
      calls.push({ at: Date.now(), findings });
      res.end(JSON.stringify({ FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    throttled: () => throttled,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** EMF metrics written during `fn`, by name (Powertools writes one JSON line per flush). */
async function emittedMetrics<T>(fn: () => Promise<T>): Promise<{ result: T; metrics: Record<string, number> }> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => capture(a.join(' ')));
  try {
    const result = await fn();
    const metrics: Record<string, number> = {};
    for (const line of lines) {
      if (!line.includes('"CloudWatchMetrics"')) continue;
      const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
      for (const { Name } of emf._aws.CloudWatchMetrics[0]!.Metrics) {
        metrics[Name] = (emf as unknown as Record<string, number>)[Name]!;
      }
    }
    return { result, metrics };
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
}

describe('finalize → Security Hub (BatchImportFindings on loopback)', () => {
  let hub: Awaited<ReturnType<typeof startSecurityHub>>;
  let dir: string;

  beforeAll(async () => {
    hub = await startSecurityHub();
    dir = await mkdtemp(join(tmpdir(), 'kubeposture-finalize-'));
  });
  afterAll(async () => {
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports new findings in paced batches of 100, then resolved ones archived, retrying throttling', async () => {
    // Prepare: one state store and one Security Hub across two scheduled scans, as in a deployment.
    const objects = memoryObjectStore();
    const runs = memoryScanRuns();
    const client = securityHubClient({
      endpoint: hub.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    });
    const notifiers = notifiersFromEnv(
      { KUBEPOSTURE_SECURITYHUB_ACCOUNT: SECURITY_ACCOUNT, AWS_REGION: 'eu-west-1' },
      { securityHub: client, objects },
    );
    expect(notifiers.map((n) => n.name)).toEqual(['securityhub']);
    const publisher = lifecyclePublisher({
      state: createLocalStateStore(dir),
      reports: { put: async () => ({ keys: [], latest: '' }) },
      notifiers,
      objects,
      clock: () => new Date(),
    });
    const finalize = withMiddleware(makeFinalizeHandler({ objects, runs, publisher, clock: () => new Date() }));
    const clusters = Array.from({ length: 150 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const scan = async (scanId: string, startedAt: string, findings: Finding[]) => {
      const plan: StoredPlan = { scanId, trigger: 'schedule', startedAt, targets: [TARGET], errors: [] };
      const result: StoredTargetResult = {
        scanId,
        target: TARGET,
        summary: { ...TARGET, status: 'scanned', clusters: clusters.length },
        errors: [],
        findings,
      };
      await objects.put(scanKeys.plan(scanId), JSON.stringify(plan));
      await objects.put(scanKeys.result(scanId, TARGET), JSON.stringify(result));
      const calls = hub.calls.length;
      const started = Date.now();
      const run = await emittedMetrics(() => finalize({ scanId }, aLambdaContext('finalize', 600_000)));
      return { ...run, started, calls: hub.calls.slice(calls) };
    };

    // Act 1: every cluster fails the check: 150 new findings.
    const first = await scan(
      '20260601T060000Z-aaaaaa',
      '2026-06-01T06:00:00.000Z',
      clusters.map((cluster) => aFinding({ cluster })),
    );

    // Assess 1: two batches (100, 50), after one throttled attempt the SDK retried; all ACTIVE, stamped for the
    // security account (BatchImportFindings accepts nothing else), spaced to stay under 10 calls a second.
    expect(hub.throttled()).toBe(1);
    expect(first.calls.map((c) => c.findings.length)).toEqual([100, 50]);
    const imported = first.calls.flatMap((c) => c.findings);
    expect(new Set(imported.map((f) => f.Id)).size).toBe(150);
    for (const f of imported) {
      expect(f).toMatchObject({
        AwsAccountId: SECURITY_ACCOUNT,
        ProductArn: `arn:aws:securityhub:eu-west-1:${SECURITY_ACCOUNT}:product/${SECURITY_ACCOUNT}/default`,
        RecordState: 'ACTIVE',
        Compliance: { Status: 'FAILED' },
        ProductFields: expect.objectContaining({ 'kubeposture/Lifecycle': 'new' }),
      });
    }
    expect(first.metrics).toMatchObject({
      [METRIC.findingsNew]: 150,
      [METRIC.findingsResolved]: 0,
      [METRIC.targetsFailed]: 0,
      [METRIC.publishFailures]: 0,
      [METRIC.failedFindings]: 150,
    });
    expect(first.metrics[METRIC.scanDuration]).toBeGreaterThanOrEqual(0);
    expect(JSON.parse((await objects.get(SECURITY_HUB_IMPORT_KEY))!)).toEqual({
      lastFullImport: '2026-06-01T06:00:00.000Z',
    });

    // Act 2: a day later 120 clusters pass, 30 still fail, and 5 new findings appear.
    const fixed = clusters.slice(0, 120);
    const fresh = Array.from({ length: 5 }, (_, i) => aFinding({ cluster: `new${i}` }));
    const second = await scan('20260602T060000Z-bbbbbb', '2026-06-02T06:00:00.000Z', [
      ...fixed.map((cluster) => aFinding({ cluster, status: 'PASS', message: 'endpoint private' })),
      ...clusters.slice(120).map((cluster) => aFinding({ cluster })),
      ...fresh,
    ]);

    // Assess 2: only what changed: 120 resolved (ARCHIVED, PASSED) and 5 new; the 30 persisting are not re-sent
    // (the first import, complete, was recorded a day ago).
    expect(second.calls.map((c) => c.findings.length)).toEqual([100, 25]);
    // ≤ 10 calls a second: the second call cannot start within 100 ms of the first, which started after `started`.
    expect(second.calls[1]!.at - second.started).toBeGreaterThanOrEqual(100);
    const sent = second.calls.flatMap((c) => c.findings);
    const archived = sent.filter((f) => f.RecordState === 'ARCHIVED');
    expect(archived).toHaveLength(120);
    for (const f of archived) {
      expect(f.Compliance?.Status).toBe('PASSED');
      expect(f.ProductFields?.['kubeposture/Lifecycle']).toBe('resolved');
    }
    expect(new Set(archived.map((f) => f.Id))).toEqual(
      new Set(
        imported
          .slice(0)
          .filter((f) => fixed.some((c) => f.Resources![0]!.Id!.endsWith(`/${c}`)))
          .map((f) => f.Id),
      ),
    );
    expect(
      sent.filter((f) => f.RecordState === 'ACTIVE').map((f) => f.ProductFields?.['kubeposture/Lifecycle']),
    ).toEqual(Array(5).fill('new'));
    expect(second.metrics).toMatchObject({ [METRIC.findingsNew]: 5, [METRIC.findingsResolved]: 120 });
    expect(hub.throttled()).toBe(1);
  });

  it('streams a scan larger than the report’s cap: report.json bounded, every finding in the JSON Lines file and in Security Hub', async () => {
    const objects = memoryObjectStore();
    const reportsDir = await mkdtemp(join(dir, 'reports-'));
    const client = securityHubClient({
      endpoint: hub.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    });
    const seen: ScanReport[] = [];
    const publisher = lifecyclePublisher({
      state: createLocalStateStore(await mkdtemp(join(dir, 'state-'))),
      reports: createFolderReportStore(reportsDir),
      notifiers: [
        ...notifiersFromEnv(
          { KUBEPOSTURE_SECURITYHUB_ACCOUNT: SECURITY_ACCOUNT, AWS_REGION: 'eu-west-1' },
          { securityHub: client, objects },
        ),
        { name: 'recording', notify: async (r) => void seen.push(r) },
      ],
      objects,
      clock: () => new Date(),
      maxFindings: 20,
    });
    const finalize = withMiddleware(
      makeFinalizeHandler({ objects, runs: memoryScanRuns(), publisher, clock: () => new Date() }),
    );
    const scanId = '20260604T060000Z-dddddd';
    // 120 clusters: 60 fail (new), 60 pass.
    const findings = Array.from({ length: 120 }, (_, i) =>
      aFinding({ cluster: `k${String(i).padStart(3, '0')}`, ...(i % 2 ? { status: 'PASS' as const } : {}) }),
    );
    const plan: StoredPlan = {
      scanId,
      trigger: 'schedule',
      startedAt: '2026-06-04T06:00:00.000Z',
      targets: [TARGET],
      errors: [],
    };
    const result: StoredTargetResult = {
      scanId,
      target: TARGET,
      summary: { ...TARGET, status: 'scanned', clusters: 120 },
      errors: [],
      findings,
    };
    await objects.put(scanKeys.plan(scanId), JSON.stringify(plan));
    await objects.put(scanKeys.result(scanId, TARGET), JSON.stringify(result));
    const calls = hub.calls.length;

    const { result: out } = await emittedMetrics(() => finalize({ scanId }, aLambdaContext('finalize', 600_000)));

    const folder = join(reportsDir, 'scans', scanId);
    const report = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8')) as ScanReport;
    expect(report.schemaVersion).toBe('2.0');
    expect(report.findings).toHaveLength(20);
    expect(report.truncated).toEqual({ findingsOmitted: 100, fullDataKey: 'report.findings.jsonl' });
    expect(report.findings.every((f) => f.status === 'FAIL' && f.lifecycle?.state === 'new')).toBe(true);
    expect(report.summary.byStatus).toMatchObject({ FAIL: 60, PASS: 60 });
    expect(report.delta?.counts).toMatchObject({ new: 60, open: 60 });
    expect(out.summary.byStatus).toMatchObject({ FAIL: 60, PASS: 60 });
    const lines = (await readFile(join(folder, 'report.findings.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as Finding).id)).toEqual(findings.map((f) => f.id));
    const ocsf = JSON.parse(await readFile(join(folder, 'report.ocsf.json'), 'utf8')) as unknown[];
    expect(ocsf).toHaveLength(120);
    const page = await readFile(join(folder, 'report.html'), 'utf8');
    expect(page).toContain('<!doctype html>');
    expect(page).toContain('100 more findings are in report.findings.jsonl');
    // Notifiers get the bounded report; Security Hub still imports every failing finding, read back from the file.
    expect(seen.map((r) => r.findings.length)).toEqual([20]);
    const imported = hub.calls.slice(calls).flatMap((c) => c.findings);
    expect(new Set(imported.map((f) => f.Id)).size).toBe(60);
    expect(imported.every((f) => f.ProductFields?.['kubeposture/Lifecycle'] === 'new')).toBe(true);
  });

  it('records a Security Hub failure as a failed sink (the alarm’s metric), without failing the scan', async () => {
    const objects = memoryObjectStore();
    const failing = {
      name: 'securityhub',
      notify: async () => {
        throw new Error('AccessDeniedException: not subscribed');
      },
    };
    const publisher = lifecyclePublisher({
      state: createLocalStateStore(await mkdtemp(join(dir, 'x-'))),
      reports: { put: async () => ({ keys: [], latest: '' }) },
      notifiers: [failing],
      objects,
      clock: () => new Date(),
    });
    const finalize = withMiddleware(
      makeFinalizeHandler({ objects, runs: memoryScanRuns(), publisher, clock: () => new Date() }),
    );
    const scanId = '20260603T060000Z-cccccc';
    const plan: StoredPlan = {
      scanId,
      trigger: 'schedule',
      startedAt: new Date().toISOString(),
      targets: [],
      errors: [],
    };
    await objects.put(scanKeys.plan(scanId), JSON.stringify(plan));
    const { result, metrics } = await emittedMetrics(() => finalize({ scanId }, aLambdaContext('finalize')));
    expect(result.status).toBe('SUCCEEDED');
    expect(metrics[METRIC.publishFailures]).toBe(1);
    const report = JSON.parse((await objects.get(result.reportKey)) ?? 'null') as ScanReport | null;
    expect(report).toBeNull(); // the report store is the fake above; the scan still finished
  });
});
