import type { ClusterVersionInformation } from '@aws-sdk/client-eks';
import type { ClusterVersionsReference } from '../../core/snapshot.ts';
import fallback from './data/eks-versions.json' with { type: 'json' };

/**
 * The public SSM parameter that names the release AWS recommends for a node group's Kubernetes
 * version and AMI type (EKS guide `retrieve-ami-id`, `retrieve-ami-id-bottlerocket`; the amiType
 * map of terraform-aws-eks). Undefined when AWS publishes none: CUSTOM (the AMI is the user's),
 * Windows (its parameter holds a JSON blob, not read yet), and variants without a documented path.
 */
export function recommendedReleaseParameter(k8s: string, amiType: string): string | undefined {
  const al2023: Record<string, string> = {
    AL2023_x86_64_STANDARD: 'x86_64/standard',
    AL2023_ARM_64_STANDARD: 'arm64/standard',
    AL2023_x86_64_NVIDIA: 'x86_64/nvidia',
    AL2023_ARM_64_NVIDIA: 'arm64/nvidia',
    AL2023_x86_64_NEURON: 'x86_64/neuron',
  };
  const al2: Record<string, string> = {
    AL2_x86_64: 'amazon-linux-2',
    AL2_ARM_64: 'amazon-linux-2-arm64',
    AL2_x86_64_GPU: 'amazon-linux-2-gpu',
  };
  const bottlerocket: Record<string, string> = {
    BOTTLEROCKET_x86_64: `aws-k8s-${k8s}/x86_64`,
    BOTTLEROCKET_ARM_64: `aws-k8s-${k8s}/arm64`,
    BOTTLEROCKET_x86_64_NVIDIA: `aws-k8s-${k8s}-nvidia/x86_64`,
    BOTTLEROCKET_ARM_64_NVIDIA: `aws-k8s-${k8s}-nvidia/arm64`,
    BOTTLEROCKET_x86_64_FIPS: `aws-k8s-${k8s}-fips/x86_64`,
    BOTTLEROCKET_ARM_64_FIPS: `aws-k8s-${k8s}-fips/arm64`,
  };
  if (al2023[amiType])
    return `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/${al2023[amiType]}/recommended/release_version`;
  if (al2[amiType]) return `/aws/service/eks/optimized-ami/${k8s}/${al2[amiType]}/recommended/release_version`;
  if (bottlerocket[amiType]) return `/aws/service/bottlerocket/${bottlerocket[amiType]}/latest/image_version`;
  return undefined;
}

/** The dated calendar shipped with kubeposture, for when DescribeClusterVersions cannot be read. */
export function fallbackVersions(error: string): ClusterVersionsReference {
  const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
  const versions: ClusterVersionInformation[] = fallback.versions.map((v) => ({
    clusterVersion: v.clusterVersion,
    clusterType: 'eks',
    releaseDate: day(v.releaseDate),
    endOfStandardSupportDate: day(v.endOfStandardSupportDate),
    endOfExtendedSupportDate: day(v.endOfExtendedSupportDate),
  }));
  return { source: 'fallback', versions, retrieved: fallback.retrieved, error };
}
