import { defineCheck } from '../../core/check.ts';
import { analyzeAllowList } from './lib/cidr.ts';
import { isResult, readEndpointAccess } from './lib/endpoint.ts';
import { clusterResult, list } from './lib/results.ts';

const WHAT = 'endpoint privacy';

/** Prefixes shorter than these are flagged as very broad: more than a /8 of IPv4, more than an ISP-sized /32 of IPv6. */
export const BROAD_PREFIX = { ipv4: 8, ipv6: 32 } as const;

/** At most this many CIDRs are spelled out in the one-line message; evidence always has them all. */
const MESSAGE_CIDRS = 5;

function shortList(values: readonly string[]): string {
  if (values.length <= MESSAGE_CIDRS) return list(values);
  return `${values.slice(0, MESSAGE_CIDRS).join(', ')} and ${values.length - MESSAGE_CIDRS} more`;
}

export default defineCheck({
  id: 'EKS.ENDPOINT.2',
  slug: 'eks-endpoint-private',
  title: 'EKS API server is reachable only through its private endpoint',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'endpoint',
  needs: ['eks:DescribeCluster'],
  reads: [
    'eks:DescribeCluster cluster.resourcesVpcConfig.{endpointPublicAccess,endpointPrivateAccess,publicAccessCidrs}',
  ],
  frameworks: { 'cis-eks-1.8': ['5.4.2'], securityhub: ['EKS.1'] },
  risk: 'Any public endpoint, even one limited to an allow-list, exposes the Kubernetes API server outside the VPC: the protection rests on every listed range staying trustworthy (shared NAT gateways, CI providers, home networks), and the endpoint is visible to internet-wide scanning of API-server vulnerabilities.',
  remediation: {
    text: 'Enable the private endpoint and disable the public one; reach the API server from inside the VPC (VPN, Direct Connect, bastion, or a CI runner in the VPC). Turn private access on before public access off, so nodes keep their path to the API server.',
    cli: 'aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/config-cluster-endpoint.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/config-cluster-endpoint.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html',
  ],
  severityRationale:
    'Medium: a public endpoint restricted to known CIDRs is a defence-in-depth gap rather than an open door (IAM authentication and RBAC still apply); an endpoint open to the whole internet is reported separately, at high, by EKS.ENDPOINT.1.',
  evaluate(s) {
    const access = readEndpointAccess(s, WHAT);
    if (isResult(access)) return [access];
    const { publicAccess, privateAccess, publicAccessCidrs, defaultCidrs } = access;

    if (!publicAccess) {
      return [
        clusterResult(
          s,
          'PASS',
          'Private endpoint only: public endpoint access is disabled and private access is enabled',
          {
            endpointPublicAccess: false,
            endpointPrivateAccess: true,
          },
        ),
      ];
    }

    const reported = publicAccessCidrs ?? [];
    const defaultApplied = reported.length === 0;
    const effective = defaultApplied ? defaultCidrs : reported;
    const a = analyzeAllowList(effective);
    const broad = a.parsed
      .filter((c) => c.prefix < (c.family === 4 ? BROAD_PREFIX.ipv4 : BROAD_PREFIX.ipv6))
      .map((c) => c.text);
    const worldOpen = a.familiesCovered.length > 0;

    const from = defaultApplied
      ? `${list(effective)}, the AWS default, as publicAccessCidrs ${publicAccessCidrs ? 'is empty' : 'is not reported'}`
      : `publicAccessCidrs ${shortList(reported)}`;
    const notes: string[] = [];
    if (worldOpen) notes.push('open to the whole internet, see EKS.ENDPOINT.1');
    else if (broad.length > 0) notes.push(`very broad: ${list(broad)}`);
    if (privateAccess === true) notes.push('private access is also enabled');
    else if (privateAccess === false) notes.push('private access is off');

    return [
      clusterResult(
        s,
        'FAIL',
        `Public endpoint is enabled, reachable from ${from}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
        {
          endpointPublicAccess: true,
          endpointPrivateAccess: privateAccess ?? null,
          publicAccessCidrs: publicAccessCidrs ?? null,
          effectivePublicAccessCidrs: effective,
          defaultApplied,
          worldOpen,
          broadCidrs: broad,
          broadThreshold: { ipv4: `shorter than /${BROAD_PREFIX.ipv4}`, ipv6: `shorter than /${BROAD_PREFIX.ipv6}` },
          ...(a.unparsed.length > 0 ? { unparsedCidrs: a.unparsed } : {}),
        },
      ),
    ];
  },
});
