/** GKE.ENDPOINT.1 / .2: the newest fields (controlPlaneEndpointsConfig) decide; missing fields are ERROR, never PASS. */
import { describe, expect, it } from 'vitest';
import { aContext } from '../eks/builders.ts';
import { aGkeCluster } from './builders.ts';
import ip from './gke-control-plane-not-world-open.ts';
import dns from './gke-dns-endpoint-internal.ts';

const NONE = undefined as never;
type Patch = Parameters<typeof aGkeCluster>[0];

const evalIp = (o: Patch) => ip.evaluate(aGkeCluster(o), aContext())[0]!;
const evalDns = (o: Patch) => dns.evaluate(aGkeCluster(o), aContext())[0]!;

describe('GKE.ENDPOINT.1 gke-control-plane-not-world-open', () => {
  it.each<[string, Patch, string, string]>([
    ['new block: private only', {}, 'PASS', 'private endpoint only'],
    [
      'new block: IP endpoints disabled, deprecated fields say public and open',
      {
        cluster: {
          privateClusterConfig: { enablePrivateEndpoint: false },
          masterAuthorizedNetworksConfig: { enabled: false },
          controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: false } },
        },
      },
      'PASS',
      'IP endpoints are disabled',
    ],
    [
      'new block public and open wins over deprecated private',
      {
        cluster: {
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: { enablePublicEndpoint: true, authorizedNetworksConfig: { enabled: false } },
          },
        },
      },
      'FAIL',
      'deprecated privateClusterConfig.enablePrivateEndpoint says private',
    ],
    [
      'new block private wins over deprecated public',
      { cluster: { privateClusterConfig: { enablePrivateEndpoint: false }, masterAuthorizedNetworksConfig: NONE } },
      'PASS',
      'private endpoint only',
    ],
    [
      'new block public with world CIDR in its authorized networks',
      {
        cluster: {
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: {
              enablePublicEndpoint: true,
              authorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: '0.0.0.0/0' }] },
            },
          },
        },
      },
      'FAIL',
      'contain 0.0.0.0/0',
    ],
    [
      'new block public, Google Cloud public CIDRs allowed',
      {
        cluster: {
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: {
              enablePublicEndpoint: true,
              authorizedNetworksConfig: { gcpPublicCidrsAccessEnabled: true },
            },
          },
        },
      },
      'FAIL',
      'gcpPublicCidrsAccessEnabled',
    ],
    [
      'new block public, limited to the office',
      { cluster: { controlPlaneEndpointsConfig: { ipEndpointsConfig: { enablePublicEndpoint: true } } } },
      'PASS',
      'limited to authorized networks: 10.0.0.0/8',
    ],
    [
      'gap: ipEndpointsConfig.enabled missing (null from the decoder)',
      { cluster: { controlPlaneEndpointsConfig: { ipEndpointsConfig: { enabled: null as never } } } },
      'ERROR',
      'ipEndpointsConfig.enabled was not in the GKE answer',
    ],
    [
      'gap: ipEndpointsConfig.enablePublicEndpoint missing',
      { cluster: { controlPlaneEndpointsConfig: { ipEndpointsConfig: { enablePublicEndpoint: NONE } } } },
      'ERROR',
      'enablePublicEndpoint was not in the GKE answer',
    ],
    [
      'gap: no endpoint field at all',
      {
        cluster: {
          controlPlaneEndpointsConfig: NONE,
          privateClusterConfig: NONE,
          masterAuthorizedNetworksConfig: NONE,
        },
      },
      'ERROR',
      'neither controlPlaneEndpointsConfig nor',
    ],
    [
      'fallback: older answer without the new block, deprecated public and open',
      {
        cluster: {
          controlPlaneEndpointsConfig: NONE,
          privateClusterConfig: { enablePrivateEndpoint: false },
          masterAuthorizedNetworksConfig: { enabled: false },
        },
      },
      'FAIL',
      'master authorized networks is disabled',
    ],
    [
      'fallback: older answer without the new block, deprecated private',
      { cluster: { controlPlaneEndpointsConfig: NONE } },
      'PASS',
      'private endpoint only',
    ],
  ])('%s => %s', (_name, patch, status, message) => {
    const r = evalIp(patch);
    expect(r.status).toBe(status);
    expect(r.message).toContain(message);
  });

  it('says in the evidence which fields decided', () => {
    expect(evalIp({}).evidence).toMatchObject({ source: 'controlPlaneEndpointsConfig.ipEndpointsConfig' });
    expect(evalIp({ cluster: { controlPlaneEndpointsConfig: NONE } }).evidence?.source).toMatch(/deprecated/);
  });
});

describe('GKE.ENDPOINT.2 gke-dns-endpoint-internal', () => {
  it.each<[string, Patch, string]>([
    ['internal only', {}, 'PASS'],
    [
      'external traffic allowed, even with IP endpoints off',
      {
        cluster: {
          controlPlaneEndpointsConfig: {
            ipEndpointsConfig: { enabled: false },
            dnsEndpointConfig: { allowExternalTraffic: true },
          },
        },
      },
      'FAIL',
    ],
    ['no DNS endpoint', { cluster: { controlPlaneEndpointsConfig: { dnsEndpointConfig: NONE } } }, 'NOT_APPLICABLE'],
    [
      'gap: allowExternalTraffic missing',
      { cluster: { controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: null as never } } } },
      'ERROR',
    ],
    ['gap: answer without controlPlaneEndpointsConfig', { cluster: { controlPlaneEndpointsConfig: NONE } }, 'ERROR'],
  ])('%s => %s', (_name, patch, status) => {
    expect(evalDns(patch).status).toBe(status);
  });

  it('is lower severity than an open IP endpoint, and names the fields it reads', () => {
    expect(dns.severity).toBe('medium');
    expect(ip.severity).toBe('high');
    expect(dns.reads).toContain('controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic');
    expect(ip.reads?.[0]).toContain('controlPlaneEndpointsConfig');
  });
});
