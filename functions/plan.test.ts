import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { organizationsClient } from '../collectors/aws/clients.ts';
import { createAwsCollector } from '../collectors/aws/index.ts';
import { listOrganizationAccounts } from '../collectors/aws/organizations.ts';
import { MalformedResponseError } from '../collectors/common/response.ts';
import { parseConfig, type ScanConfig } from '../core/config.ts';
import type { ScanReport } from '../core/report.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../sim/index.ts';
import { aLambdaContext } from '../test/lambda-context.ts';
import { makeFinalizeHandler, reportOnlyPublisher } from './finalize.ts';
import { memoryObjectStore } from './objects.ts';
import {
  describeManagementAccount,
  isSkippedPlan,
  makePlanHandler,
  type PlanDeps,
  type PlanOutput,
  type StoredPlan,
} from './plan.ts';
import { withMiddleware } from './powertools.ts';
import { memoryScanRuns, SCAN_RUN_MAX_AGE_MS, type ScanRun } from './scan-runs.ts';

const context = aLambdaContext('kubeposture-plan-test', 300_000);
/** The sim's organization is managed from the caller's account (sim/aws/organizations.ts). */
const MANAGEMENT = '999999999999';

let cloud: SimulatedCloud;
let deps: Omit<PlanDeps, 'config' | 'objects' | 'runs'>;
const NOW = new Date('2026-06-01T06:00:00Z');

beforeAll(async () => {
  cloud = await startSimulatedCloud(await loadSampleFleet());
  const client = (c: ScanConfig) =>
    organizationsClient('us-east-1', cloud.callerCredentials, {
      maxAttempts: c.aws.maxAttempts,
      retryBaseDelayMs: c.aws.retryBaseDelayMs,
      endpoint: cloud.aws.endpoint,
    });
  deps = {
    collectorFor: (_provider, c) =>
      createAwsCollector(c, {
        endpoint: cloud.aws.endpoint,
        credentials: cloud.callerCredentials,
        homeRegion: 'us-east-1',
      }),
    organizationAccounts: (c) => listOrganizationAccounts(client(c)),
    managementAccount: (c) => describeManagementAccount(client(c)),
    clock: () => NOW,
  };
});
afterAll(() => cloud?.close());
beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return () => vi.restoreAllMocks();
});

describe('plan: the organization’s management account', () => {
  async function plan(config: ScanConfig, more: Partial<PlanDeps> = {}) {
    const objects = memoryObjectStore();
    const runs = memoryScanRuns();
    const out = await withMiddleware(makePlanHandler({ ...deps, config, objects, runs, ...more }))(
      { trigger: 'schedule' },
      context,
    );
    if (isSkippedPlan(out)) throw new Error(`skipped: ${out.skipped.blockedBy}`);
    const stored = JSON.parse((await objects.get(out.planKey))!) as StoredPlan;
    return { out, stored, objects, runs };
  }
  const accountsOf = (p: StoredPlan) => [...new Set(p.targets.map((t) => t.accountId))].sort();

  it('leaves it out by default, with a note saying why, and no error', async () => {
    const { stored } = await plan(parseConfig({ aws: { organization: {}, regions: ['us-east-1'] } }));
    expect(accountsOf(stored)).not.toContain(MANAGEMENT);
    expect(accountsOf(stored)).toContain('111111111111');
    expect(stored.errors.filter((e) => e.accountId === MANAGEMENT)).toEqual([]); // 3333… denies on purpose
    expect(stored.notes).toEqual([
      { provider: 'aws', accountId: MANAGEMENT, reason: expect.stringMatching(/^Management account: not scanned\./) },
    ]);
  });

  it('scans it when aws.accounts names it (the role made there by hand)', async () => {
    const { stored } = await plan(
      parseConfig({
        aws: {
          organization: {},
          accounts: [{ id: MANAGEMENT, roleName: 'KubepostureReader' }],
          regions: ['us-east-1'],
        },
      }),
    );
    expect(
      stored.targets.some((t) => t.accountId === MANAGEMENT) || stored.errors.some((e) => e.accountId === MANAGEMENT),
    ).toBe(true);
    expect(stored.notes).toBeUndefined();
  });

  it('says nothing when the management account is excluded anyway', async () => {
    const { stored } = await plan(
      parseConfig({ aws: { organization: { exclude: [MANAGEMENT] }, regions: ['us-east-1'] } }),
    );
    expect(accountsOf(stored)).not.toContain(MANAGEMENT);
    expect(stored.notes).toBeUndefined();
  });

  it('drops nothing when the management account cannot be identified, and says so', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const { stored } = await plan(parseConfig({ aws: { organization: {}, regions: ['us-east-1'] } }), {
      managementAccount: async () => {
        throw denied;
      },
    });
    expect(
      stored.targets.some((t) => t.accountId === MANAGEMENT) || stored.errors.some((e) => e.accountId === MANAGEMENT),
    ).toBe(true);
    expect(stored.notes).toEqual([
      { provider: 'aws', accountId: '*', reason: expect.stringContaining('could not be identified') },
    ]);
  });

  it('carries the note into the report, which counts it as neither a failed target nor an error', async () => {
    const { out, objects, runs } = await plan(parseConfig({ aws: { organization: {}, regions: ['us-east-1'] } }));
    const finalize = withMiddleware(
      makeFinalizeHandler({ objects, runs, publisher: reportOnlyPublisher(objects), clock: () => new Date() }),
    );
    // No scan-target ran: every planned target is a failed one; the management account is not among them.
    const done = await finalize({ scanId: out.scanId }, context);
    const report = JSON.parse((await objects.get(done.reportKey))!) as ScanReport;
    expect(report.notes).toEqual([expect.objectContaining({ accountId: MANAGEMENT })]);
    expect(report.errors.filter((e) => e.accountId === MANAGEMENT)).toEqual([]);
    expect(report.targets.filter((t) => t.accountId === MANAGEMENT)).toEqual([]);
  });
});

describe('plan: admission of scans the API did not admit', () => {
  const config = parseConfig({ aws: { accounts: [{ id: '111111111111' }], regions: ['us-east-1'] } });
  const EXECUTION = 'arn:aws:states:us-east-1:999999999999:execution:Scan:schedule-1';
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const active = (scanId: string, fields: Partial<ScanRun> = {}): ScanRun => ({
    scanId,
    status: 'RUNNING',
    trigger: 'api',
    requestedAt: minutesAgo(30),
    startedAt: minutesAgo(29),
    ...fields,
  });
  /** Runs the plan as the state machine calls it, with the given runs already recorded. */
  async function plan(existing: ScanRun[], request: unknown = { trigger: 'schedule' }) {
    const objects = memoryObjectStore();
    const runs = memoryScanRuns();
    for (const run of existing) await runs.create(run);
    const writes = vi.mocked(process.stdout.write);
    const out = await withMiddleware(makePlanHandler({ ...deps, config, objects, runs }))(
      { request, executionId: EXECUTION },
      context,
    );
    // The EMF line the metrics middleware writes once the handler returned.
    const emf = writes.mock.calls
      .map(([line]) => String(line))
      .filter((line) => line.includes('"ScansSkipped"'))
      .map((line) => JSON.parse(line) as { ScansSkipped: number });
    return { out, objects, runs, skippedMetric: emf.map((e) => e.ScansSkipped) };
  }

  it('skips a scheduled scan while an overlapping run is active: recorded SKIPPED naming it, nothing written', async () => {
    const blocker = active('20260601T053000Z-aaaaaa', { filter: { accounts: ['111111111111'] } });
    const { out, objects, runs, skippedMetric } = await plan([blocker]);

    expect(isSkippedPlan(out)).toBe(true);
    expect(out).toEqual({ scanId: expect.any(String), trigger: 'schedule', skipped: { blockedBy: blocker.scanId } });
    expect(objects.objects.size).toBe(0);
    expect(await runs.get(out.scanId)).toEqual({
      scanId: out.scanId,
      status: 'SKIPPED',
      trigger: 'schedule',
      requestedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      executionId: EXECUTION,
      blockedBy: blocker.scanId,
    });
    expect(await runs.get(blocker.scanId)).toEqual(blocker);
    expect(skippedMetric).toEqual([1]);
  });

  it('skips it for a QUEUED run (an API scan not yet planned) and for an earlier scheduled scan still running', async () => {
    for (const blocker of [
      active('20260601T055900Z-bbbbbb', { status: 'QUEUED', startedAt: undefined }),
      active('20260601T050000Z-cccccc', { trigger: 'schedule' }),
    ]) {
      const { out } = await plan([blocker]);
      expect(out).toMatchObject({ skipped: { blockedBy: blocker.scanId } });
    }
  });

  it('proceeds past a run older than SCAN_RUN_MAX_AGE_MS (a timed-out execution records nothing)', async () => {
    const stale = active('20260531T220000Z-dddddd', {
      requestedAt: new Date(NOW.getTime() - SCAN_RUN_MAX_AGE_MS - 60_000).toISOString(),
      startedAt: new Date(NOW.getTime() - SCAN_RUN_MAX_AGE_MS - 60_000).toISOString(),
    });
    const { out, objects, runs, skippedMetric } = await plan([stale]);

    expect(isSkippedPlan(out)).toBe(false);
    const planned = out as PlanOutput;
    expect(planned.targets).toBeGreaterThan(0);
    expect(await objects.get(planned.itemsKey)).toBeDefined();
    expect(await runs.get(planned.scanId)).toMatchObject({
      status: 'RUNNING',
      trigger: 'schedule',
      targets: planned.targets,
    });
    expect(skippedMetric).toEqual([0]);
  });

  it('checks the full scope: a full scheduled scan overlaps any run; a filtered manual one only runs it shares targets with', async () => {
    const otherAccount = active('20260601T055000Z-eeeeee', { filter: { accounts: ['222222222222'] } });
    expect((await plan([otherAccount])).out).toMatchObject({ skipped: { blockedBy: otherAccount.scanId } });

    const manual = { trigger: 'manual', filter: { accounts: ['111111111111'] } };
    const { out, runs } = await plan([otherAccount], manual);
    expect(isSkippedPlan(out)).toBe(false);
    expect(await runs.get(out.scanId)).toMatchObject({ status: 'RUNNING', trigger: 'manual', filter: manual.filter });
    const overlapping = active('20260601T055000Z-eeeeef', { filter: { accounts: ['111111111111', '222222222222'] } });
    expect((await plan([overlapping], manual)).out).toMatchObject({ skipped: { blockedBy: overlapping.scanId } });
  });

  it('records the scheduled run through the admission, so a request arriving meanwhile is refused', async () => {
    const { out, runs } = await plan([]);
    const overlapping: ScanRun = {
      scanId: '20260601T060001Z-ffffff',
      status: 'QUEUED',
      trigger: 'api',
      requestedAt: NOW.toISOString(),
    };
    const { conflict } = await runs.admit(overlapping, { now: NOW, blocks: () => true });
    expect(conflict?.scanId).toBe(out.scanId);
  });

  it('proceeds with an API-started scan: its own QUEUED run does not block it', async () => {
    const scanId = '20260601T055959Z-a1b2c3';
    const queued: ScanRun = { scanId, status: 'QUEUED', trigger: 'api', requestedAt: minutesAgo(0) };
    const { out, runs } = await plan([queued], { scanId, trigger: 'api' });

    expect(out).toMatchObject({ scanId, trigger: 'api', itemsKey: expect.any(String) });
    expect(await runs.get(scanId)).toMatchObject({
      status: 'RUNNING',
      trigger: 'api',
      requestedAt: queued.requestedAt,
      startedAt: NOW.toISOString(),
      executionId: EXECUTION,
    });
  });

  it('is not blocked by an earlier attempt of the same execution, and marks that attempt as replaced', async () => {
    const earlier = active('20260601T055930Z-123456', { trigger: 'schedule', executionId: EXECUTION });
    const { out, runs } = await plan([earlier]);

    expect(isSkippedPlan(out)).toBe(false);
    expect(await runs.get(earlier.scanId)).toMatchObject({
      status: 'FAILED',
      failure: { state: 'Plan', error: 'Retried' },
    });
  });
});

describe('describeManagementAccount', () => {
  it('refuses an answer without the management account id instead of guessing', async () => {
    const client = { send: async () => ({ Organization: { Id: 'o-1' } }) };
    await expect(describeManagementAccount(client as never)).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
