import type { VpcConfigResponse } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, type DeepPartial, type EksClusterOverrides, evaluateOnce } from './builders.ts';
import { type CheckCase, itEvaluatesCases } from './cases.ts';
import check from './eks-endpoint-private.ts';

const vpc = (v: DeepPartial<VpcConfigResponse>): EksClusterOverrides => ({ cluster: { resourcesVpcConfig: v } });
const publicWith = (publicAccessCidrs: string[] | undefined, endpointPrivateAccess = true) =>
  vpc({ endpointPublicAccess: true, endpointPrivateAccess, publicAccessCidrs });

const cases: CheckCase[] = [
  {
    name: 'passes a cluster with only the private endpoint enabled',
    overrides: {},
    status: 'PASS',
    says: ['Private endpoint only'],
  },
  {
    name: 'passes a private-only cluster whatever stale publicAccessCidrs it reports',
    overrides: vpc({ endpointPublicAccess: false, endpointPrivateAccess: true, publicAccessCidrs: ['::/0'] }),
    status: 'PASS',
    says: ['public endpoint access is disabled'],
  },
  {
    name: 'fails a public endpoint restricted to one office CIDR, naming the CIDR',
    overrides: publicWith(['203.0.113.0/24']),
    status: 'FAIL',
    says: ['Public endpoint is enabled', 'publicAccessCidrs 203.0.113.0/24', 'private access is also enabled'],
  },
  {
    name: 'fails a public endpoint with private access off and says so',
    overrides: publicWith(['198.51.100.0/24'], false),
    status: 'FAIL',
    says: ['publicAccessCidrs 198.51.100.0/24', 'private access is off'],
  },
  {
    name: 'fails a world-open public endpoint and points to EKS.ENDPOINT.1',
    overrides: publicWith(['0.0.0.0/0', '::/0']),
    status: 'FAIL',
    says: ['publicAccessCidrs 0.0.0.0/0, ::/0', 'open to the whole internet, see EKS.ENDPOINT.1'],
  },
  {
    name: 'fails and flags an IPv4 prefix shorter than /8 as very broad',
    overrides: publicWith(['203.0.113.0/24', '64.0.0.0/3']),
    status: 'FAIL',
    says: ['very broad: 64.0.0.0/3'],
  },
  {
    name: 'fails and flags an IPv6 prefix shorter than /32 as very broad',
    overrides: publicWith(['2001:db8::/16']),
    status: 'FAIL',
    says: ['very broad: 2001:db8::/16'],
  },
  {
    name: 'fails a public endpoint with an empty allow-list as reachable from the AWS default 0.0.0.0/0',
    overrides: publicWith([]),
    status: 'FAIL',
    says: ['reachable from 0.0.0.0/0, the AWS default, as publicAccessCidrs is empty'],
  },
  {
    name: 'fails a public endpoint whose allow-list is not reported',
    overrides: publicWith(undefined),
    status: 'FAIL',
    says: ['publicAccessCidrs is not reported'],
  },
  {
    name: 'fails a public endpoint even when its private access flag is not reported',
    overrides: vpc({
      endpointPublicAccess: true,
      endpointPrivateAccess: undefined,
      publicAccessCidrs: ['203.0.113.0/24'],
    }),
    status: 'FAIL',
    says: ['Public endpoint is enabled'],
  },
  {
    name: 'shortens a long allow-list in the message',
    overrides: publicWith(Array.from({ length: 8 }, (_, i) => `198.51.100.${i}/32`)),
    status: 'FAIL',
    says: ['198.51.100.4/32 and 3 more'],
  },
  {
    name: 'reports ERROR when both endpoints are reported off, which EKS does not allow',
    overrides: vpc({ endpointPublicAccess: false, endpointPrivateAccess: false }),
    status: 'ERROR',
    says: ['endpointPublicAccess and endpointPrivateAccess are both false'],
  },
  {
    name: 'reports ERROR naming endpointPrivateAccess when the public endpoint is off and private access is not reported',
    overrides: vpc({ endpointPublicAccess: false, endpointPrivateAccess: undefined }),
    status: 'ERROR',
    says: ['cluster.resourcesVpcConfig.endpointPrivateAccess is missing'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
  {
    name: 'reports ERROR naming resourcesVpcConfig when it is missing',
    overrides: { cluster: { resourcesVpcConfig: undefined } },
    status: 'ERROR',
    says: ['cluster.resourcesVpcConfig is missing'],
  },
];

describe('EKS.ENDPOINT.2 eks-endpoint-private', () => {
  itEvaluatesCases(check, cases);

  it('records every allowed CIDR, the broad ones and the private flag as evidence', () => {
    const cidrs = Array.from({ length: 8 }, (_, i) => `198.51.100.${i}/32`).concat('32.0.0.0/4');
    const r = evaluateOnce(check, anEksCluster(publicWith(cidrs, false)));
    expect(r.evidence).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: cidrs,
      broadCidrs: ['32.0.0.0/4'],
      worldOpen: false,
    });
  });

  it('keeps allow-list entries it cannot parse in the evidence, still failing', () => {
    const r = evaluateOnce(check, anEksCluster(publicWith(['office-vpn'])));
    expect(r.status).toBe('FAIL');
    expect(r.evidence).toMatchObject({ unparsedCidrs: ['office-vpn'] });
  });

  it('yields ERROR through the engine when DescribeCluster could not be collected', () => {
    const s = anEksCluster({ gaps: [{ need: 'eks:DescribeCluster', error: 'throttled' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: 'EKS.ENDPOINT.2' });
    expect(findings[0]?.message).toContain('eks:DescribeCluster: throttled');
  });
});
