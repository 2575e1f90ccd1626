import { defineCheck } from '../../core/check.ts';
import { analyzeAllowList, type IpFamily } from './lib/cidr.ts';
import { isResult, readEndpointAccess } from './lib/endpoint.ts';
import { clusterResult, list } from './lib/results.ts';

const WHAT = 'endpoint exposure';
const familyName = (f: IpFamily) => (f === 4 ? 'IPv4' : 'IPv6');

export default defineCheck({
  id: 'EKS.ENDPOINT.1',
  slug: 'eks-endpoint-not-world-open',
  title: 'EKS API server endpoint is not open to the whole internet',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'endpoint',
  needs: ['eks:DescribeCluster'],
  reads: [
    'eks:DescribeCluster cluster.resourcesVpcConfig.{endpointPublicAccess,publicAccessCidrs}',
    'eks:DescribeCluster cluster.kubernetesNetworkConfig.ipFamily (the default CIDRs of an empty list)',
  ],
  frameworks: { 'cis-eks-1.8': ['5.4.1'] },
  risk: 'A public endpoint that accepts 0.0.0.0/0 or ::/0 lets anyone on the internet reach the Kubernetes API server: leaked kubeconfigs or IAM credentials, misconfigured anonymous RBAC and API-server vulnerabilities become exploitable from any address. Enabling the private endpoint as well does not restrict the public one.',
  remediation: {
    text: 'Turn the public endpoint off (private access only), or keep it and restrict publicAccessCidrs to the networks that must reach the API server (office egress, VPN, CI runners). List IPv6 ranges explicitly on dual-stack clusters. With private access off, nodes reach the API server through the public endpoint, so their NAT egress addresses must be in the list; enabling private access avoids that.',
    cli: 'aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=true,publicAccessCidrs="203.0.113.0/24"',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigResponse.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/config-cluster-endpoint.html',
  ],
  severityRationale:
    'High, not critical: requests still need valid IAM-authenticated credentials and RBAC, but the API server is the cluster root of control and an internet-wide attack surface turns any credential leak or API-server CVE into remote compromise.',
  evaluate(s) {
    const access = readEndpointAccess(s, WHAT);
    if (isResult(access)) return [access];
    const { publicAccess, privateAccess, publicAccessCidrs, defaultCidrs } = access;
    const base = { endpointPublicAccess: publicAccess, endpointPrivateAccess: privateAccess ?? null };

    if (!publicAccess) {
      return [
        clusterResult(
          s,
          'PASS',
          'Public endpoint access is disabled: the API server is reachable only through the private endpoint',
          {
            ...base,
            publicAccessCidrs: publicAccessCidrs ?? null,
            note: 'publicAccessCidrs has no effect while the public endpoint is disabled',
          },
        ),
      ];
    }

    const privateNote =
      privateAccess === true
        ? ', even though private endpoint access is also enabled'
        : privateAccess === false
          ? '; private endpoint access is off'
          : '';
    const reported = publicAccessCidrs ?? [];
    const defaultApplied = reported.length === 0;
    const effective = defaultApplied ? defaultCidrs : reported;
    const a = analyzeAllowList(effective);
    const prefixZeroFamilies = new Set(a.parsed.filter((c) => c.prefix === 0).map((c) => c.family));
    const coveredTogether = a.familiesCovered.filter((f) => !prefixZeroFamilies.has(f));
    const evidence = {
      ...base,
      publicAccessCidrs: publicAccessCidrs ?? null,
      effectivePublicAccessCidrs: effective,
      defaultApplied,
      worldOpenCidrs: a.prefixZero,
      familiesFullyCovered: a.familiesCovered.map(familyName),
    };

    if (defaultApplied) {
      const state = publicAccessCidrs ? 'is empty' : 'is not reported';
      return [
        clusterResult(
          s,
          'FAIL',
          `Public endpoint is open to the whole internet: publicAccessCidrs ${state}, so the AWS default ${list(effective)} applies${privateNote}`,
          evidence,
        ),
      ];
    }
    if (a.familiesCovered.length > 0) {
      const reasons: string[] = [];
      if (a.prefixZero.length > 0) reasons.push(`publicAccessCidrs contains ${list(a.prefixZero)}`);
      for (const f of coveredTogether) {
        const blocks = a.parsed.filter((c) => c.family === f).map((c) => c.text);
        reasons.push(`publicAccessCidrs ${list(blocks)} together cover all of ${familyName(f)}`);
      }
      return [
        clusterResult(
          s,
          'FAIL',
          `Public endpoint is open to the whole internet: ${reasons.join('; ')}${privateNote}`,
          evidence,
        ),
      ];
    }
    if (a.unparsed.length > 0) {
      return [
        clusterResult(
          s,
          'ERROR',
          `Cannot evaluate ${WHAT}: publicAccessCidrs contains values that are not CIDRs (${list(a.unparsed)})`,
          { ...evidence, unparsedCidrs: a.unparsed },
        ),
      ];
    }
    const privateSuffix = privateAccess === true ? ' (private endpoint access also enabled)' : '';
    return [
      clusterResult(
        s,
        'PASS',
        `Public endpoint is restricted to ${reported.length} CIDR${reported.length === 1 ? '' : 's'}: ${list(reported)}${privateSuffix}`,
        evidence,
      ),
    ];
  },
});
