import { describe, expect, it } from 'vitest';
import { gkeCluster } from './schemas.ts';

const base = { name: 'c', location: 'europe-west1', selfLink: 'https://x/c', status: 'RUNNING' };

describe('gkeCluster schema: controlPlaneEndpointsConfig', () => {
  it.each([
    ['absent (an older answer)', {}],
    ['null optional bools from the decoder', { controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: null } } }],
    [
      'a full block',
      {
        controlPlaneEndpointsConfig: {
          ipEndpointsConfig: {
            enabled: true,
            enablePublicEndpoint: false,
            authorizedNetworksConfig: { enabled: true, cidrBlocks: [{ cidrBlock: '10.0.0.0/8' }] },
          },
          dnsEndpointConfig: { endpoint: 'gke-1.europe-west1.gke.goog', allowExternalTraffic: true },
        },
      },
    ],
  ])('accepts %s', (_name, extra) => {
    expect(gkeCluster.safeParse({ ...base, ...extra }).success).toBe(true);
  });

  it('refuses a flag of the wrong type rather than read it as unset', () => {
    const r = gkeCluster.safeParse({
      ...base,
      controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: 'true' } },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('allowExternalTraffic');
  });
});
