import type { ClusterVersionInformation } from '@aws-sdk/client-eks';
import fallbackCalendar from '../collectors/aws/data/eks-versions.json' with { type: 'json' };
import { RELATIVE_TIME, type ReferencesSpec } from './spec.ts';

/**
 * Public reference data as the simulated cloud serves it to every account: the EKS version
 * calendar (DescribeClusterVersions), recommended node releases (SSM public parameters) and
 * add-on versions (DescribeAddonVersions). Built from the spec's `references`, with defaults.
 */

/** Latest Kubernetes patch per minor, for release versions and kube-proxy (`1.32.3-20261110`). */
export const PATCH_VERSIONS: Record<string, number> = {
  '1.28': 15,
  '1.29': 13,
  '1.30': 11,
  '1.31': 7,
  '1.32': 3,
  '1.33': 1,
  '1.34': 0,
  '1.35': 0,
};

/** Built-in add-on versions, newest first; kube-proxy is per Kubernetes version. Matches the fleet's defaults. */
const DEFAULT_ADDON_VERSIONS: Record<string, string[]> = {
  'vpc-cni': ['v1.19.2-eksbuild.1', 'v1.18.6-eksbuild.1', 'v1.16.0-eksbuild.1'],
  coredns: ['v1.11.4-eksbuild.2', 'v1.11.3-eksbuild.1', 'v1.10.1-eksbuild.13'],
  'aws-ebs-csi-driver': ['v1.38.1-eksbuild.2', 'v1.35.0-eksbuild.1'],
  'eks-pod-identity-agent': ['v1.3.4-eksbuild.1', 'v1.3.2-eksbuild.2'],
};

export function kubeProxyVersions(k8s: string): string[] {
  return [`v${k8s}.${PATCH_VERSIONS[k8s] ?? 0}-eksbuild.2`, `v${k8s}.0-eksbuild.1`];
}

/** `now-30d` relative to `now`, an ISO string, or a Date. */
export function resolveTime(v: string | Date, now: Date): Date {
  if (v instanceof Date) return v;
  const m = RELATIVE_TIME.exec(v);
  return m ? new Date(now.getTime() + Number(m[1]) * 86_400_000) : new Date(v);
}

function dateOfStamp(stamp: string): Date {
  return new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T00:00:00Z`);
}

export interface SimParameter {
  value: string;
  lastModifiedDate: Date;
}

export class SimReferences {
  readonly clusterVersions: ClusterVersionInformation[];

  constructor(
    readonly spec: ReferencesSpec,
    now: Date,
  ) {
    const list = spec.clusterVersions ?? fallbackCalendar.versions;
    const newest = [...list].sort((a, b) => compareMinor(b.clusterVersion, a.clusterVersion))[0]?.clusterVersion;
    this.clusterVersions = list.map((v) => {
      const releaseDate = resolveTime(v.releaseDate, now);
      const endOfStandardSupportDate = resolveTime(v.endOfStandardSupportDate, now);
      const endOfExtendedSupportDate = resolveTime(v.endOfExtendedSupportDate, now);
      const t = now.getTime();
      const [status, versionStatus] =
        t < endOfStandardSupportDate.getTime()
          ? (['standard-support', 'STANDARD_SUPPORT'] as const)
          : t < endOfExtendedSupportDate.getTime()
            ? (['extended-support', 'EXTENDED_SUPPORT'] as const)
            : (['unsupported', 'UNSUPPORTED'] as const);
      return {
        clusterVersion: v.clusterVersion,
        clusterType: 'eks',
        defaultPlatformVersion: 'eks.1',
        defaultVersion: 'defaultVersion' in v && v.defaultVersion !== undefined ? v.defaultVersion : false,
        releaseDate,
        endOfStandardSupportDate,
        endOfExtendedSupportDate,
        status,
        versionStatus,
        kubernetesPatchVersion:
          ('kubernetesPatchVersion' in v ? v.kubernetesPatchVersion : undefined) ??
          `${v.clusterVersion}.${PATCH_VERSIONS[v.clusterVersion] ?? 0}`,
      } satisfies ClusterVersionInformation;
    });
    // One version is the default for new clusters: the newest but one, as EKS tends to do.
    if (!this.clusterVersions.some((v) => v.defaultVersion) && newest) {
      const sorted = this.clusterVersions.map((v) => v.clusterVersion!).sort(compareMinor);
      const pick = sorted[Math.max(0, sorted.length - 2)];
      for (const v of this.clusterVersions) v.defaultVersion = v.clusterVersion === pick;
    }
  }

  /** An SSM public parameter's value, or undefined when AWS would answer ParameterNotFound. */
  parameter(name: string): SimParameter | undefined {
    const explicit = this.spec.ssmParameters[name];
    const r = this.spec.releases;
    if (explicit !== undefined) return { value: explicit, lastModifiedDate: dateOfStamp(r.al2023) };
    const known = (k8s: string) => this.clusterVersions.some((v) => v.clusterVersion === k8s);
    let m =
      /^\/aws\/service\/eks\/optimized-ami\/(\d+\.\d+)\/amazon-linux-2023\/(x86_64|arm64)\/(standard|nvidia|neuron)\/recommended\/release_version$/.exec(
        name,
      );
    if (m && known(m[1]!))
      return { value: `${m[1]}.${PATCH_VERSIONS[m[1]!] ?? 0}-${r.al2023}`, lastModifiedDate: dateOfStamp(r.al2023) };
    m =
      /^\/aws\/service\/eks\/optimized-ami\/(\d+\.\d+)\/amazon-linux-2(-arm64|-gpu)?\/recommended\/release_version$/.exec(
        name,
      );
    // AWS released AL2 AMIs up to Kubernetes 1.32 only.
    if (m && known(m[1]!) && compareMinor(m[1]!, '1.32') <= 0)
      return { value: `${m[1]}.${PATCH_VERSIONS[m[1]!] ?? 0}-${r.al2}`, lastModifiedDate: dateOfStamp(r.al2) };
    m =
      /^\/aws\/service\/bottlerocket\/aws-k8s-(\d+\.\d+)(-nvidia|-fips)?\/(x86_64|arm64)\/latest\/image_version$/.exec(
        name,
      );
    if (m && known(m[1]!)) return { value: r.bottlerocket, lastModifiedDate: dateOfStamp(r.al2023) };
    return undefined;
  }

  /** The release a new node group of this type gets: what the recommended parameter says (or a plausible one). */
  defaultReleaseVersion(k8s: string, amiType: string): string {
    const r = this.spec.releases;
    if (amiType.startsWith('BOTTLEROCKET')) return r.bottlerocket;
    const stamp = amiType.startsWith('AL2_') ? r.al2 : r.al2023;
    return `${k8s}.${PATCH_VERSIONS[k8s] ?? 0}-${stamp}`;
  }

  /** DescribeAddonVersions' versions of one add-on for a Kubernetes version, newest first. */
  addonVersions(addonName: string, k8s: string): string[] {
    return (
      this.spec.addonVersions[addonName] ??
      (addonName === 'kube-proxy' ? kubeProxyVersions(k8s) : (DEFAULT_ADDON_VERSIONS[addonName] ?? []))
    );
  }

  addonNames(): string[] {
    return [
      ...new Set([...Object.keys(DEFAULT_ADDON_VERSIONS), 'kube-proxy', ...Object.keys(this.spec.addonVersions)]),
    ].sort();
  }
}

export function compareMinor(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
