import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { AksClusterSnapshot } from '../../core/snapshot.ts';
import { simAzureCredential } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { AZURE_NEEDS, createAzureCollector } from './index.ts';

const PROD = '11111111-1111-4111-8111-111111111111';
const DENIED = '22222222-2222-4222-8222-222222222222';

const spec = parseFleetSpec({
  azure: {
    subscriptions: [
      {
        id: PROD,
        clusters: [
          {
            name: 'payments',
            location: 'westeurope',
            properties: {
              agentPoolProfiles: [
                { name: 'system', latestNodeImageVersion: 'AKSUbuntu-2204gen2containerd-202509.01.0' },
                { name: 'user' },
              ],
            },
            diagnosticSettings: [
              {
                name: 'audit',
                workspaceId: '/subscriptions/x/workspaces/w',
                logs: [{ category: 'kube-audit', enabled: true }],
              },
            ],
          },
          { name: 'web', location: 'eastus' },
          { name: 'batch', location: 'eastus', resourceGroup: 'rg-batch' },
        ],
      },
      { id: DENIED, denied: true, clusters: [{ name: 'hidden', location: 'westeurope' }] },
    ],
  },
});

describe('Azure collector against the simulated ARM (real @azure/arm-* clients over https)', () => {
  let cloud: SimulatedCloud;
  const collector = (config = parseConfig({ azure: {} })) =>
    createAzureCollector(config, {
      credential: simAzureCredential(),
      endpoint: cloud.azure!.endpoint,
      ca: cloud.azure!.ca,
    });

  beforeAll(async () => {
    cloud = await startSimulatedCloud(spec, { maxPageSize: 2 });
  });
  afterAll(() => cloud?.close());

  it('plans one target per readable subscription when none are configured', async () => {
    const plan = await collector().plan();
    expect(plan).toEqual({ targets: [{ provider: 'azure', accountId: PROD, region: '*' }], errors: [] });
  });

  it('plans the configured subscriptions without listing them', async () => {
    const before = cloud.count({ action: 'Subscriptions.List' });
    const plan = await collector(parseConfig({ azure: { subscriptions: [PROD, DENIED] } })).plan();
    expect(plan.targets.map((t) => t.accountId)).toEqual([PROD, DENIED]);
    expect(cloud.count({ action: 'Subscriptions.List' })).toBe(before);
  });

  it('collects every cluster through nextLink paging, with upgrade profiles, diagnostic settings and versions', async () => {
    const { snapshots, errors } = await collector().collect({ provider: 'azure', accountId: PROD, region: '*' });
    expect(errors).toEqual([]);
    expect(snapshots.map((s) => s.name).sort()).toEqual(['batch', 'payments', 'web']);
    const payments = snapshots.find((s) => s.name === 'payments') as AksClusterSnapshot;
    expect(payments).toMatchObject({
      provider: 'azure',
      accountId: PROD,
      region: 'westeurope',
      resourceGroup: 'rg-payments',
      gaps: [],
    });
    expect(payments.id).toBe(payments.cluster.id);
    expect(payments.cluster.enableRbac).toBe(true);
    expect(payments.agentPoolUpgradeProfiles.system?.latestNodeImageVersion).toBe(
      'AKSUbuntu-2204gen2containerd-202509.01.0',
    );
    expect(Object.keys(payments.agentPoolUpgradeProfiles).sort()).toEqual(['system', 'user']);
    expect(payments.diagnosticSettings?.[0]?.logs).toEqual([
      expect.objectContaining({ category: 'kube-audit', enabled: true }),
    ]);
    expect(payments.kubernetesVersions?.map((v) => v.version)).toContain('1.32');
  });

  it('asks for the Kubernetes versions of a location once per scan', async () => {
    const c = collector();
    const before = cloud.count({ action: 'ManagedClusters.ListKubernetesVersions' });
    await c.collect({ provider: 'azure', accountId: PROD, region: '*' });
    expect(cloud.count({ action: 'ManagedClusters.ListKubernetesVersions' }) - before).toBe(2);
  });

  it('reports a subscription the identity cannot read as AccessDenied, with no snapshots', async () => {
    const { snapshots, errors } = await collector().collect({ provider: 'azure', accountId: DENIED, region: '*' });
    expect(snapshots).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        accountId: DENIED,
        stage: 'list-clusters',
        code: 'AccessDenied',
        message: expect.stringContaining('AuthorizationFailed'),
      }),
    ]);
    // ARM's own words, not the paging helper's "Pagination failed with unexpected statusCode 403".
    expect(errors[0]!.message).toContain('does not have authorization');
  });

  it('records a per-cluster read that fails as a gap naming the need, and keeps the cluster', async () => {
    const c = cloud.azure!.state.subscriptions[0]!.clusters.find((x) => x.resource.name === 'web')!;
    const saved = c.diagnosticSettings;
    // A malformed answer the SDK cannot page through stands in for any per-cluster failure.
    Object.defineProperty(c, 'diagnosticSettings', {
      get: () => {
        throw new Error('boom');
      },
      configurable: true,
    });
    try {
      const { snapshots } = await collector(parseConfig({ azure: { maxAttempts: 1 } })).collect({
        provider: 'azure',
        accountId: PROD,
        region: '*',
      });
      const web = snapshots.find((s) => s.name === 'web') as AksClusterSnapshot;
      expect(web.diagnosticSettings).toBeUndefined();
      expect(web.gaps).toEqual([expect.objectContaining({ need: AZURE_NEEDS.diagnosticSettings })]);
    } finally {
      Object.defineProperty(c, 'diagnosticSettings', { value: saved, writable: true, configurable: true });
    }
  });

  it('turns an unreachable ARM endpoint into a classified error, not a crash', async () => {
    const c = createAzureCollector(parseConfig({ azure: { maxAttempts: 1 } }), {
      credential: simAzureCredential(),
      endpoint: 'https://127.0.0.1:1',
      ca: cloud.azure!.ca,
    });
    const plan = await c.plan();
    expect(plan.errors).toEqual([expect.objectContaining({ stage: 'list-subscriptions', code: 'Unreachable' })]);
  });
});
