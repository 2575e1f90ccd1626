import type { VpcConfigResponse } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, type DeepPartial, type EksClusterOverrides, evaluateOnce } from './builders.ts';
import { type CheckCase, itEvaluatesCases } from './cases.ts';
import check from './eks-endpoint-not-world-open.ts';

const vpc = (v: DeepPartial<VpcConfigResponse>): EksClusterOverrides => ({ cluster: { resourcesVpcConfig: v } });
const publicWith = (publicAccessCidrs: string[] | undefined, endpointPrivateAccess = true) =>
  vpc({ endpointPublicAccess: true, endpointPrivateAccess, publicAccessCidrs });

const cases: CheckCase[] = [
  {
    name: 'passes a private-only cluster even though publicAccessCidrs still lists 0.0.0.0/0',
    overrides: {},
    status: 'PASS',
    says: ['Public endpoint access is disabled'],
  },
  {
    name: 'passes a public endpoint restricted to one office CIDR',
    overrides: publicWith(['203.0.113.0/24'], false),
    status: 'PASS',
    says: ['restricted to 1 CIDR: 203.0.113.0/24'],
  },
  {
    name: 'passes a dual-stack allow-list of specific IPv4 and IPv6 ranges with private access on',
    overrides: publicWith(['203.0.113.0/24', '2001:db8:1234::/48']),
    status: 'PASS',
    says: ['restricted to 2 CIDRs: 203.0.113.0/24, 2001:db8:1234::/48', 'private endpoint access also enabled'],
  },
  {
    name: 'passes half of the IPv4 space, which is broad but not the whole internet',
    overrides: publicWith(['0.0.0.0/1']),
    status: 'PASS',
    says: ['0.0.0.0/1'],
  },
  {
    name: 'fails when the public endpoint allows 0.0.0.0/0 and private access is off',
    overrides: publicWith(['0.0.0.0/0'], false),
    status: 'FAIL',
    says: ['open to the whole internet', 'publicAccessCidrs contains 0.0.0.0/0', 'private endpoint access is off'],
  },
  {
    name: 'fails when the public endpoint allows 0.0.0.0/0 even with private access on',
    overrides: publicWith(['0.0.0.0/0']),
    status: 'FAIL',
    says: ['publicAccessCidrs contains 0.0.0.0/0', 'even though private endpoint access is also enabled'],
  },
  {
    name: 'fails when the public endpoint allows ::/0 even with private access on',
    overrides: publicWith(['203.0.113.0/24', '::/0']),
    status: 'FAIL',
    says: ['publicAccessCidrs contains ::/0', 'even though private endpoint access is also enabled'],
  },
  {
    name: 'fails on ::/0 spelled 0::/0',
    overrides: publicWith(['0::/0']),
    status: 'FAIL',
    says: ['contains 0::/0'],
  },
  {
    name: 'fails on ::/0 spelled out in full as 0:0:0:0:0:0:0:0/0',
    overrides: publicWith(['0:0:0:0:0:0:0:0/0']),
    status: 'FAIL',
    says: ['contains 0:0:0:0:0:0:0:0/0'],
  },
  {
    name: 'fails on a /0 whose address part is not zero, which still allows everything',
    overrides: publicWith(['10.0.0.0/0']),
    status: 'FAIL',
    says: ['contains 10.0.0.0/0'],
  },
  {
    name: 'fails on both families open at once and names both',
    overrides: publicWith(['0.0.0.0/0', '::/0']),
    status: 'FAIL',
    says: ['contains 0.0.0.0/0, ::/0'],
  },
  {
    name: 'fails on a world-open CIDR written with surrounding spaces',
    overrides: publicWith([' 0.0.0.0/0 ']),
    status: 'FAIL',
    says: ['contains 0.0.0.0/0'],
  },
  {
    name: 'fails when two IPv4 halves together cover the whole internet',
    overrides: publicWith(['0.0.0.0/1', '128.0.0.0/1']),
    status: 'FAIL',
    says: ['0.0.0.0/1, 128.0.0.0/1 together cover all of IPv4'],
  },
  {
    name: 'fails when IPv6 blocks together cover all of IPv6',
    overrides: publicWith(['203.0.113.0/24', '::/1', '8000::/1']),
    status: 'FAIL',
    says: ['::/1, 8000::/1 together cover all of IPv6'],
  },
  {
    name: 'fails when the endpoint is public and publicAccessCidrs is empty, because AWS defaults to 0.0.0.0/0',
    overrides: publicWith([]),
    status: 'FAIL',
    says: ['publicAccessCidrs is empty', 'AWS default 0.0.0.0/0 applies'],
  },
  {
    name: 'fails when the endpoint is public and publicAccessCidrs is not reported at all',
    overrides: publicWith(undefined, false),
    status: 'FAIL',
    says: ['publicAccessCidrs is not reported', 'AWS default 0.0.0.0/0 applies'],
  },
  {
    name: 'fails an IPv6 cluster with an empty allow-list on both default ranges, 0.0.0.0/0 and ::/0',
    overrides: { cluster: { ...publicWith([]).cluster, kubernetesNetworkConfig: { ipFamily: 'ipv6' } } },
    status: 'FAIL',
    says: ['the AWS default 0.0.0.0/0, ::/0 applies'],
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
  {
    name: 'reports ERROR naming endpointPublicAccess when it is missing',
    overrides: vpc({ endpointPublicAccess: undefined }),
    status: 'ERROR',
    says: ['cluster.resourcesVpcConfig.endpointPublicAccess is missing'],
  },
  {
    name: 'reports ERROR when both endpoints are reported off, which EKS does not allow',
    overrides: vpc({ endpointPublicAccess: false, endpointPrivateAccess: false }),
    status: 'ERROR',
    says: ['both false'],
  },
  {
    name: 'reports ERROR when an allow-list entry is not a CIDR and nothing else is world-open',
    overrides: publicWith(['203.0.113.0/24', 'office-vpn']),
    status: 'ERROR',
    says: ['not CIDRs (office-vpn)'],
  },
];

describe('EKS.ENDPOINT.1 eks-endpoint-not-world-open', () => {
  itEvaluatesCases(check, cases);

  it('records the world-open CIDRs and the effective allow-list as evidence', () => {
    const r = evaluateOnce(check, anEksCluster(publicWith(['203.0.113.0/24', '::/0'])));
    expect(r.evidence).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['203.0.113.0/24', '::/0'],
      worldOpenCidrs: ['::/0'],
      familiesFullyCovered: ['IPv6'],
      defaultApplied: false,
    });
  });

  it('records the AWS default as the effective allow-list when none is reported', () => {
    const r = evaluateOnce(check, anEksCluster(publicWith([])));
    expect(r.evidence).toMatchObject({ defaultApplied: true, effectivePublicAccessCidrs: ['0.0.0.0/0'] });
  });

  it('records the allowed CIDRs when it passes a restricted endpoint', () => {
    const r = evaluateOnce(check, anEksCluster(publicWith(['198.51.100.7/32'])));
    expect(r.evidence).toMatchObject({ publicAccessCidrs: ['198.51.100.7/32'], worldOpenCidrs: [] });
  });

  it('yields ERROR through the engine when DescribeCluster could not be collected', () => {
    const s = anEksCluster({ gaps: [{ need: 'eks:DescribeCluster', error: 'throttled' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: 'EKS.ENDPOINT.1' });
    expect(findings[0]?.message).toContain('eks:DescribeCluster: throttled');
  });
});
