import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CollectionGap } from '../../core/snapshot.ts';
import { readerCredentials } from '../../sim/clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { parseFleetSpec } from '../../sim/spec.ts';
import { eksClient } from './clients.ts';
import { collectInsights } from './insights.ts';

const ACCOUNT = '111111111111';
let cloud: SimulatedCloud;

beforeAll(async () => {
  cloud = await startSimulatedCloud(
    parseFleetSpec({
      accounts: [
        {
          id: ACCOUNT,
          enabledRegions: ['eu-west-1'],
          clusters: [
            {
              name: 'mixed',
              region: 'eu-west-1',
              insights: [
                { name: 'Deprecated APIs removed in Kubernetes v1.32', status: 'ERROR', recommendation: 'Migrate.' },
                { name: 'Kubelet version skew', status: 'WARNING' },
                { name: 'Cluster health issues' },
                { name: 'Amazon EKS add-on version compatibility' },
                { name: 'Hybrid nodes', category: 'MISCONFIGURATION', status: 'UNKNOWN' },
              ],
            },
          ],
        },
      ],
    }),
    { maxPageSize: 2 },
  );
});
afterAll(() => cloud?.close());

const client = () =>
  eksClient('eu-west-1', readerCredentials(cloud, ACCOUNT), {
    endpoint: cloud.aws.endpoint,
    maxAttempts: 1,
    retryBaseDelayMs: 1,
  });

describe('collectInsights', () => {
  it('lists every page and category, and describes only the insights not PASSING', async () => {
    const gaps: CollectionGap[] = [];
    const lists = cloud.count({ action: 'ListInsights' });
    const describes = cloud.count({ action: 'DescribeInsight' });
    const facts = await collectInsights(client(), 'mixed', gaps, { concurrency: 4 });
    expect(gaps).toEqual([]);
    expect(facts?.summaries.map((s) => s.insightStatus?.status)).toEqual([
      'ERROR',
      'WARNING',
      'PASSING',
      'PASSING',
      'UNKNOWN',
    ]);
    expect(cloud.count({ action: 'ListInsights' }) - lists).toBe(3); // five insights, pages of two
    expect(cloud.count({ action: 'DescribeInsight' }) - describes).toBe(3);
    const described = Object.values(facts!.details);
    expect(described.map((i) => i.name).sort()).toEqual([
      'Deprecated APIs removed in Kubernetes v1.32',
      'Hybrid nodes',
      'Kubelet version skew',
    ]);
    expect(described.find((i) => i.insightStatus?.status === 'ERROR')?.recommendation).toBe('Migrate.');
  });

  it('is a gap naming eks:ListInsights, and no facts, when the list is refused', async () => {
    cloud.fleet.account(ACCOUNT)!.deniedActions.add('eks:ListInsights');
    try {
      const gaps: CollectionGap[] = [];
      expect(await collectInsights(client(), 'mixed', gaps, { concurrency: 4 })).toBeUndefined();
      expect(gaps).toEqual([expect.objectContaining({ need: 'eks:ListInsights', code: 'AccessDenied' })]);
    } finally {
      cloud.fleet.account(ACCOUNT)!.deniedActions.delete('eks:ListInsights');
    }
  });

  it('is a gap naming eks:DescribeInsight and the insights when a describe is refused', async () => {
    cloud.fleet.account(ACCOUNT)!.deniedActions.add('eks:DescribeInsight');
    try {
      const gaps: CollectionGap[] = [];
      const facts = await collectInsights(client(), 'mixed', gaps, { concurrency: 4 });
      expect(facts?.details).toEqual({});
      expect(gaps).toEqual([
        expect.objectContaining({
          need: 'eks:DescribeInsight',
          code: 'AccessDenied',
          error: expect.stringContaining(
            'could not describe: Deprecated APIs removed in Kubernetes v1.32, Hybrid nodes',
          ),
        }),
      ]);
    } finally {
      cloud.fleet.account(ACCOUNT)!.deniedActions.delete('eks:DescribeInsight');
    }
  });
});
