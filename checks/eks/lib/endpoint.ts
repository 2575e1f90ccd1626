import type { CheckResult, EksClusterSnapshot } from '../../../core/check.ts';
import { clusterResult, missingField } from './results.ts';

/**
 * What EKS applies when a public endpoint has no `publicAccessCidrs`: the create-time default,
 * 0.0.0.0/0, "and additionally ::/0 for dual-stack IPv6 clusters".
 */
export function defaultPublicAccessCidrs(ipFamily: string | undefined): string[] {
  return ipFamily === 'ipv6' ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0'];
}

export interface EndpointAccess {
  publicAccess: boolean;
  /** Undefined when DescribeCluster did not report it (only tolerated while the public endpoint is on). */
  privateAccess: boolean | undefined;
  /** As reported; undefined when absent. */
  publicAccessCidrs: string[] | undefined;
  /** What applies when publicAccessCidrs is missing or empty (depends on the cluster's IP family). */
  defaultCidrs: string[];
}

/**
 * Reads the endpoint settings both endpoint checks depend on, or the ERROR that stops evaluation:
 * a missing cluster, a missing `resourcesVpcConfig`, a missing `endpointPublicAccess`, or the
 * impossible state where both endpoints are off (EKS rejects it; the snapshot is not trustworthy).
 */
export function readEndpointAccess(s: EksClusterSnapshot, what: string): EndpointAccess | CheckResult {
  if (!s.cluster) return missingField(s, 'cluster', what);
  const vpc = s.cluster.resourcesVpcConfig;
  if (!vpc) return missingField(s, 'cluster.resourcesVpcConfig', what);
  if (typeof vpc.endpointPublicAccess !== 'boolean') {
    return missingField(s, 'cluster.resourcesVpcConfig.endpointPublicAccess', what);
  }
  const privateAccess = typeof vpc.endpointPrivateAccess === 'boolean' ? vpc.endpointPrivateAccess : undefined;
  if (!vpc.endpointPublicAccess) {
    if (privateAccess === undefined) return missingField(s, 'cluster.resourcesVpcConfig.endpointPrivateAccess', what);
    if (!privateAccess) {
      return clusterResult(
        s,
        'ERROR',
        `Cannot evaluate ${what}: endpointPublicAccess and endpointPrivateAccess are both false, which EKS does not allow; the DescribeCluster data is inconsistent`,
        { endpointPublicAccess: false, endpointPrivateAccess: false },
      );
    }
  }
  return {
    publicAccess: vpc.endpointPublicAccess,
    privateAccess,
    publicAccessCidrs: vpc.publicAccessCidrs,
    defaultCidrs: defaultPublicAccessCidrs(s.cluster.kubernetesNetworkConfig?.ipFamily),
  };
}

export function isResult(x: EndpointAccess | CheckResult): x is CheckResult {
  return 'status' in x;
}
