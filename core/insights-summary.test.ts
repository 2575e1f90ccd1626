import { describe, expect, it } from 'vitest';
import type { Finding } from './finding.ts';
import { insightSummaryLines, summarizeInsights } from './insights-summary.ts';

const insight = (name: string, status: string, kubernetesVersion = '1.32') => ({
  insight: { id: 'x', name, category: 'UPGRADE_READINESS', status, kubernetesVersion },
});
const finding = (
  accountId: string,
  cluster: string,
  evidence: Record<string, unknown>,
  status: Finding['status'] = 'FAIL',
  provider: Finding['provider'] = 'aws',
) =>
  ({
    provider,
    status,
    evidence,
    accountId,
    clusterId: `arn:aws:eks:eu-west-1:${accountId}:cluster/${cluster}`,
  }) as Finding;

const DEPRECATED = 'Deprecated APIs removed in Kubernetes v1.32';

describe('the EKS insight summary of a scan', () => {
  it('counts clusters and accounts per insight name, most widespread first, with the status on each cluster', () => {
    const rows = summarizeInsights([
      finding('111111111111', 'a', insight(DEPRECATED, 'ERROR')),
      finding('111111111111', 'b', insight(DEPRECATED, 'WARNING', '1.33')),
      finding('222222222222', 'c', insight(DEPRECATED, 'ERROR')),
      finding('222222222222', 'c', insight('Kubelet version skew', 'WARNING')),
      finding('333333333333', 'd', insight('Cluster health issues', 'UNKNOWN'), 'ERROR'),
    ]);
    expect(rows).toEqual([
      {
        name: DEPRECATED,
        category: 'UPGRADE_READINESS',
        clusters: 3,
        accounts: 2,
        byStatus: { ERROR: 2, WARNING: 1 },
        kubernetesVersions: ['1.32', '1.33'],
      },
      expect.objectContaining({ name: 'Cluster health issues', clusters: 1, byStatus: { UNKNOWN: 1 } }),
      expect.objectContaining({ name: 'Kubelet version skew', clusters: 1, accounts: 1 }),
    ]);
    expect(insightSummaryLines(rows, 2)).toEqual([
      `  ${DEPRECATED}: 3 clusters in 2 accounts (2 ERROR, 1 WARNING)`,
      '  Cluster health issues: 1 cluster in 1 account (1 UNKNOWN)',
      '  … and 1 more',
    ]);
  });

  it('ignores passing results, other evidence and other clouds; nothing open is no summary at all', () => {
    expect(
      summarizeInsights([
        finding('1', 'a', insight(DEPRECATED, 'PASSING'), 'PASS'),
        finding('1', 'a', { version: '1.31' }),
        finding('1', 'a', insight(DEPRECATED, 'ERROR'), 'FAIL', 'azure'),
      ]),
    ).toBeUndefined();
    expect(insightSummaryLines(undefined)).toEqual([]);
  });
});
