import { describe, expect, it } from 'vitest';
import { resolveGcp } from './fleet.ts';
import { GcpSpecSchema } from './spec.ts';

const clusterOf = (c: Record<string, unknown>) =>
  resolveGcp(
    GcpSpecSchema.parse({
      projects: [{ id: 'shop-prod-4821', clusters: [{ name: 'c', location: 'europe-west1', ...c }] }],
    }),
  ).projects[0]!.clusters[0]!.cluster;

describe('simulated GKE controlPlaneEndpointsConfig', () => {
  it('mirrors the deprecated fields, as GKE returns both', () => {
    const c = clusterOf({
      privateClusterConfig: { enablePrivateEndpoint: true },
      masterAuthorizedNetworksConfig: { enabled: true, cidrBlocks: [{ cidrBlock: '10.0.0.0/8' }] },
    });
    expect(c.controlPlaneEndpointsConfig).toMatchObject({
      ipEndpointsConfig: {
        enabled: true,
        enablePublicEndpoint: false,
        authorizedNetworksConfig: { enabled: true, cidrBlocks: [{ cidrBlock: '10.0.0.0/8' }] },
      },
      dnsEndpointConfig: {
        allowExternalTraffic: false,
        endpoint: expect.stringMatching(/^gke-[0-9a-f]{12}-\d+\.europe-west1\.gke\.goog$/),
      },
    });
  });

  it('keeps what the spec sets, even where it disagrees with the deprecated fields', () => {
    const c = clusterOf({
      privateClusterConfig: { enablePrivateEndpoint: true },
      controlPlaneEndpointsConfig: { ipEndpointsConfig: { enablePublicEndpoint: true } },
    });
    expect(c.controlPlaneEndpointsConfig).toMatchObject({
      ipEndpointsConfig: { enabled: true, enablePublicEndpoint: true },
    });
  });

  it('leaves the block out when the spec removes it (an older answer)', () => {
    expect(clusterOf({ controlPlaneEndpointsConfig: null })).not.toHaveProperty('controlPlaneEndpointsConfig');
  });
});
