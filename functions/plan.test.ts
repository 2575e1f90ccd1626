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
import { describeManagementAccount, makePlanHandler, type PlanDeps, type StoredPlan } from './plan.ts';
import { withMiddleware } from './powertools.ts';
import { memoryScanRuns } from './scan-runs.ts';

const context = aLambdaContext('kubeposture-plan-test', 300_000);
/** The sim's organization is managed from the caller's account (sim/aws/organizations.ts). */
const MANAGEMENT = '999999999999';

describe('plan: the organization’s management account', () => {
  let cloud: SimulatedCloud;
  let deps: Omit<PlanDeps, 'config' | 'objects' | 'runs'>;

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
      clock: () => new Date('2026-06-01T06:00:00Z'),
    };
  });
  afterAll(() => cloud?.close());
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    return () => vi.restoreAllMocks();
  });

  async function plan(config: ScanConfig, more: Partial<PlanDeps> = {}) {
    const objects = memoryObjectStore();
    const runs = memoryScanRuns();
    const out = await withMiddleware(makePlanHandler({ ...deps, config, objects, runs, ...more }))(
      { trigger: 'schedule' },
      context,
    );
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

describe('describeManagementAccount', () => {
  it('refuses an answer without the management account id instead of guessing', async () => {
    const client = { send: async () => ({ Organization: { Id: 'o-1' } }) };
    await expect(describeManagementAccount(client as never)).rejects.toBeInstanceOf(MalformedResponseError);
  });
});
