import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config.ts';
import type { GkeClusterSnapshot } from '../../core/snapshot.ts';
import { simGoogleAuthClient } from '../../sim/clients.ts';
import { parseFleetSpec, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { createGcpCollector } from './index.ts';

const spec = parseFleetSpec({
  gcp: {
    projects: [
      {
        id: 'shop-prod-1234',
        clusters: [
          { name: 'storefront', location: 'europe-west1' },
          {
            name: 'batch',
            location: 'europe-west1-b',
            nodePools: [{ name: 'ubuntu', config: { imageType: 'UBUNTU_CONTAINERD' } }],
          },
          { name: 'search', location: 'europe-west1' },
        ],
      },
      { id: 'legacy-apps-5678', apiDisabled: true },
      { id: 'secret-lab-9012', denied: true },
    ],
  },
});

describe('GCP collector against the simulated GKE API (real @google-cloud/container client, REST transport)', () => {
  let cloud: SimulatedCloud;
  const collector = (config = parseConfig({ gcp: {} })) =>
    createGcpCollector(config, { authClient: simGoogleAuthClient(), endpoint: cloud.gcp!.endpoint });

  beforeAll(async () => {
    cloud = await startSimulatedCloud(spec);
  });
  afterAll(() => cloud?.close());

  it('plans every project the identity can list when none are configured', async () => {
    const plan = await collector().plan();
    expect(plan.errors).toEqual([]);
    expect(plan.targets.map((t) => t.accountId)).toEqual(['legacy-apps-5678', 'shop-prod-1234']);
  });

  it('collects every cluster of every location in one list, with the server config of its location', async () => {
    const { snapshots, errors } = await collector().collect({
      provider: 'gcp',
      accountId: 'shop-prod-1234',
      region: '*',
    });
    expect(errors).toEqual([]);
    expect(snapshots.map((s) => `${s.region}/${s.name}`).sort()).toEqual([
      'europe-west1-b/batch',
      'europe-west1/search',
      'europe-west1/storefront',
    ]);
    const batch = snapshots.find((s) => s.name === 'batch') as GkeClusterSnapshot;
    expect(batch.id).toBe(
      'https://container.googleapis.com/v1/projects/shop-prod-1234/locations/europe-west1-b/clusters/batch',
    );
    expect(batch.cluster.nodePools?.[0]?.config?.imageType).toBe('UBUNTU_CONTAINERD');
    expect(batch.serverConfig?.validMasterVersions?.length).toBeGreaterThan(0);
    expect(batch.gaps).toEqual([]);
  });

  it('asks for the server config once per location per scan', async () => {
    const before = cloud.count({ action: 'getServerConfig' });
    await collector().collect({ provider: 'gcp', accountId: 'shop-prod-1234', region: '*' });
    expect(cloud.count({ action: 'getServerConfig' }) - before).toBe(2);
  });

  it.each([
    ['a project with the GKE API disabled', 'legacy-apps-5678', 'SERVICE_DISABLED'],
    ['a project the identity cannot read', 'secret-lab-9012', 'IAM_PERMISSION_DENIED'],
  ])('reports %s as AccessDenied, naming the reason', async (_name, project, reason) => {
    const { snapshots, errors } = await collector().collect({ provider: 'gcp', accountId: project, region: '*' });
    expect(snapshots).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({
        stage: 'list-clusters',
        code: 'AccessDenied',
        message: expect.stringContaining(reason),
      }),
    ]);
  });

  it('records a server config that cannot be read as a gap, keeping the cluster', async () => {
    const saved = cloud.gcp!.state.serverConfig;
    Object.defineProperty(cloud.gcp!.state, 'serverConfig', {
      get: () => {
        throw new Error('boom');
      },
      configurable: true,
    });
    try {
      const { snapshots } = await collector().collect({ provider: 'gcp', accountId: 'shop-prod-1234', region: '*' });
      expect(snapshots).toHaveLength(3);
      for (const s of snapshots) expect(s.gaps.map((g) => g.need)).toEqual(['gke:GetServerConfig']);
    } finally {
      Object.defineProperty(cloud.gcp!.state, 'serverConfig', { value: saved, writable: true, configurable: true });
    }
  }, 30_000);
});
