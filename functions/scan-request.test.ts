import { describe, expect, it } from 'vitest';
import { type ScanFilter, ScanFilterSchema, scopesOverlap } from './scan-request.ts';
import { isActive, memoryScanRuns, type ScanRun } from './scan-runs.ts';

const AZ = '5f0c2a8e-1b3d-4e6f-9a7b-0c1d2e3f4a5b';

describe('scopesOverlap', () => {
  it.each<[string, ScanFilter | undefined, ScanFilter | undefined, boolean]>([
    ['two full scans', undefined, undefined, true],
    ['a full scan and any filter', undefined, { providers: ['gcp'], accounts: ['shop-prod-4821'] }, true],
    ['different clouds', { providers: ['aws'] }, { providers: ['azure', 'gcp'] }, false],
    ['a common cloud', { providers: ['aws', 'gcp'] }, { providers: ['gcp'] }, true],
    ['different AWS accounts', { accounts: ['111111111111'] }, { accounts: ['222222222222'] }, false],
    ['a common AWS account', { accounts: ['111111111111', '222222222222'] }, { accounts: ['222222222222'] }, true],
    ['an AWS account and the AWS cloud', { accounts: ['111111111111'] }, { providers: ['aws'] }, true],
    ['an AWS account and the GCP cloud', { accounts: ['111111111111'] }, { providers: ['gcp'] }, false],
    ['one Azure subscription in two spellings', { accounts: [AZ] }, { accounts: [AZ.toUpperCase()] }, true],
    [
      'different AWS regions, AWS only',
      { providers: ['aws'], regions: ['eu-west-1'] },
      { providers: ['aws'], regions: ['us-east-1'] },
      false,
    ],
    // Regions narrow AWS only: both still scan every GKE project and AKS subscription.
    ['different AWS regions, every cloud', { regions: ['eu-west-1'] }, { regions: ['us-east-1'] }, true],
    ['a common region', { regions: ['eu-west-1', 'us-east-1'] }, { providers: ['aws'], regions: ['us-east-1'] }, true],
    // A target is collected whole whatever the cluster filter.
    [
      'different clusters of one account',
      { accounts: ['111111111111'], clusters: ['a'] },
      { accounts: ['111111111111'], clusters: ['b'] },
      true,
    ],
  ])('%s: %s', (_name, a, b, expected) => {
    expect(scopesOverlap(a, b)).toBe(expected);
    expect(scopesOverlap(b, a)).toBe(expected);
  });
});

describe('ScanFilterSchema', () => {
  it('collapses repeated entries, so a repeated account is scanned once', () => {
    expect(
      ScanFilterSchema.parse({
        providers: ['aws', 'aws'],
        accounts: ['111111111111', '111111111111'],
        regions: ['eu-west-1', 'eu-west-1'],
      }),
    ).toEqual({ providers: ['aws'], accounts: ['111111111111'], regions: ['eu-west-1'] });
  });

  it('refuses an oversized list by its size, in one issue', () => {
    const r = ScanFilterSchema.safeParse({ accounts: Array(5000).fill('x') });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
    expect(r.error?.issues[0]?.message).toBe('at most 1,000 accounts');
  });
});

describe('memoryScanRuns.admit', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const run = (scanId: string, over: Partial<ScanRun> = {}): ScanRun => ({
    scanId,
    status: 'QUEUED',
    trigger: 'api',
    requestedAt: now.toISOString(),
    ...over,
  });

  it('admits one of two overlapping runs asked for together, and names it to the other', async () => {
    const runs = memoryScanRuns();
    const options = { now, blocks: () => true };
    const [a, b] = await Promise.all([runs.admit(run('a'), options), runs.admit(run('b'), options)]);
    expect(a).toEqual({});
    expect(b.conflict?.scanId).toBe('a');
    expect([...runs.runs.keys()]).toEqual(['a']);
  });

  it('counts QUEUED and RUNNING runs younger than the limit as active, by start, request or id time', () => {
    expect(isActive(run('x', { status: 'RUNNING', startedAt: '2026-06-01T06:00:00Z' }), now)).toBe(true);
    expect(isActive(run('x', { status: 'RUNNING', startedAt: '2026-06-01T05:00:00Z' }), now)).toBe(false);
    expect(isActive(run('x', { status: 'SUCCEEDED' }), now)).toBe(false);
    expect(
      isActive({ scanId: '20260601T110000Z-abcdef', status: 'RUNNING', trigger: 'schedule' } as ScanRun, now),
    ).toBe(true);
    expect(isActive({ scanId: 'manual', status: 'RUNNING', trigger: 'manual' } as ScanRun, now)).toBe(false);
  });
});
