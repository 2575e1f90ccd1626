import {
  DescribeInsightCommand,
  EKSClient,
  paginateListInsights,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readerCredentials, simClientConfig } from '../clients.ts';
import { type SimulatedCloud, startSimulatedCloud } from '../index.ts';
import { parseFleetSpec } from '../spec.ts';

const ACCOUNT = '111111111111';
let cloud: SimulatedCloud;
let eks: EKSClient;

beforeAll(async () => {
  const spec = parseFleetSpec({
    accounts: [
      {
        id: ACCOUNT,
        enabledRegions: ['us-east-1'],
        clusters: [
          { name: 'usual', region: 'us-east-1', version: '1.31' },
          { name: 'none', region: 'us-east-1', insights: [] },
          {
            name: 'legacy',
            region: 'us-east-1',
            insights: [
              {
                name: 'Deprecated APIs removed in Kubernetes v1.32',
                kubernetesVersion: '1.32',
                status: 'ERROR',
                recommendation: 'Update manifests and clients to use newer Kubernetes APIs.',
                deprecations: [
                  {
                    usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
                    replacedWith: '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas',
                    stopServingVersion: '1.32',
                    clientStats: [{ userAgent: 'helm/3.12.0', numberOfRequestsLast30Days: 42 }],
                  },
                ],
              },
              { name: 'Hybrid nodes network', category: 'MISCONFIGURATION', status: 'WARNING' },
              { name: 'Kubelet version skew', status: 'PASSING' },
            ],
          },
        ],
      },
    ],
  });
  cloud = await startSimulatedCloud(spec, { maxPageSize: 2 });
  eks = new EKSClient({
    ...simClientConfig(cloud, { region: 'us-east-1', credentials: readerCredentials(cloud, ACCOUNT) }),
    maxAttempts: 1,
  });
});
afterAll(() => cloud?.close());

async function list(clusterName: string, filter?: { statuses?: ('ERROR' | 'WARNING' | 'PASSING' | 'UNKNOWN')[] }) {
  const out = [];
  for await (const p of paginateListInsights({ client: eks }, { clusterName, ...(filter ? { filter } : {}) }))
    out.push(...(p.insights ?? []));
  return out;
}

describe('EKS insights', () => {
  it('gives a cluster without `insights:` the usual upgrade insights for its next version, all PASSING', async () => {
    const insights = await list('usual');
    expect(insights.map((i) => i.name)).toContain('Deprecated APIs removed in Kubernetes v1.32');
    expect(insights.every((i) => i.insightStatus?.status === 'PASSING' && i.kubernetesVersion === '1.32')).toBe(true);
    expect(await list('none')).toEqual([]);
  });

  it('pages by the JSON body token (page size 2) and filters by status', async () => {
    const before = cloud.count({ action: 'ListInsights' });
    expect((await list('legacy')).map((i) => i.insightStatus?.status)).toEqual(['ERROR', 'WARNING', 'PASSING']);
    expect(cloud.count({ action: 'ListInsights' }) - before).toBe(2);
    expect((await list('legacy', { statuses: ['ERROR', 'WARNING'] })).map((i) => i.name)).toEqual([
      'Deprecated APIs removed in Kubernetes v1.32',
      'Hybrid nodes network',
    ]);
  });

  it('describes an insight with its recommendation and the deprecated API calls; ids are stable', async () => {
    const [first] = await list('legacy');
    const { insight } = await eks.send(new DescribeInsightCommand({ clusterName: 'legacy', id: first!.id! }));
    expect(insight?.recommendation).toBe('Update manifests and clients to use newer Kubernetes APIs.');
    expect(insight?.categorySpecificSummary?.deprecationDetails?.[0]).toMatchObject({
      usage: '/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas',
      stopServingVersion: '1.32',
      clientStats: [{ userAgent: 'helm/3.12.0', numberOfRequestsLast30Days: 42, lastRequestTime: expect.any(Date) }],
    });
    expect((await list('legacy'))[0]!.id).toBe(first!.id);
    await expect(eks.send(new DescribeInsightCommand({ clusterName: 'legacy', id: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});
