import { describe, expect, it } from 'vitest';
import { type ScanFilter, ScanFilterSchema, scopesOverlap } from './scan-request.ts';
import { isActive, memoryScanRuns, type ScanRun } from './scan-runs.ts';

const AZ = '5f0c2a8e-1b3d-4e6f-9a7b-0c1d2e3f4a5b';
const EKS_A = 'arn:aws:eks:us-east-1:111111111111:cluster/a';
const EKS_B = 'arn:aws:eks:us-east-1:111111111111:cluster/b';
const AKS = `/subscriptions/${AZ}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`;

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
    // A cluster scan reconciles only its clusters (safely beside any other scan): it waits only for its own clusters.
    ['different clusters of one account', { clusters: [EKS_A] }, { clusters: [EKS_B] }, false],
    ['a common cluster', { clusters: [EKS_A, EKS_B] }, { clusters: [EKS_B] }, true],
    [
      'one AKS cluster in two spellings',
      { clusters: [AKS] },
      { clusters: [AKS.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')] },
      true,
    ],
    ['a cluster scan and a full scan', { clusters: [EKS_A] }, undefined, false],
    ['a cluster scan and its account', { clusters: [EKS_A] }, { accounts: ['111111111111'] }, false],
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

  it('keeps each cluster once, in its canonical form, whichever way it was written', () => {
    const gke = 'projects/shop-prod-4821/locations/europe-west1/clusters/storefront';
    expect(
      ScanFilterSchema.parse({
        clusters: [EKS_A, ` ${EKS_A} `, `https://container.googleapis.com/v1/${gke}`, gke, AKS],
      }),
    ).toEqual({
      clusters: [
        EKS_A,
        gke,
        `/subscriptions/${AZ}/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`,
      ],
    });
  });

  it('names the entry and the accepted forms for a value that is not a cluster id', () => {
    const r = ScanFilterSchema.safeParse({ clusters: [EKS_A, 'checkout-api'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([['clusters', 1]]);
    expect(r.error?.issues[0]?.message).toContain('expected an EKS cluster ARN');
  });

  it('refuses clusters together with providers, accounts or regions, and more than 100 clusters', () => {
    const mixed = ScanFilterSchema.safeParse({ clusters: [EKS_A], accounts: ['111111111111'] });
    expect(mixed.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['clusters'], expect.stringContaining('cannot be combined with providers, accounts or regions')],
    ]);
    const many = ScanFilterSchema.safeParse({
      clusters: Array.from({ length: 101 }, (_, i) => `arn:aws:eks:us-east-1:111111111111:cluster/c${i}`),
    });
    expect(many.error?.issues.map((i) => i.message)).toEqual(['at most 100 clusters']);
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
