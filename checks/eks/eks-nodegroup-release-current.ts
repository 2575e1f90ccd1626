import type { Nodegroup } from '@aws-sdk/client-eks';
import { defineCheck } from '../../core/check.ts';
import type { CheckSettings } from '../../core/config.ts';
import type { Severity } from '../../core/severity.ts';
import { type EksClusterSnapshot, recommendedReleaseKey } from '../../core/snapshot.ts';
import { eachNodegroup, ngName, nodegroupResult } from './lib/nodes.ts';
import { daysBetween, isoDay } from './lib/versions.ts';

/** `1.32.3-20250519` (AL2, AL2023): the AMI build date. */
function buildDate(release: string): Date | undefined {
  const m = /^\d+\.\d+\.\d+-(\d{4})(\d{2})(\d{2})$/.exec(release);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
}

/** `1.39.1-5f7a1b2c` (Bottlerocket): releases between two versions, counting minor releases, else patches. */
function bottlerocketReleasesBehind(current: string, recommended: string): number | undefined {
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)-[0-9a-f]+$/.exec(v)?.slice(1, 4).map(Number);
  const a = parse(current);
  const b = parse(recommended);
  if (!a || !b || a[0] !== b[0]) return undefined;
  if (a[1] !== b[1]) return b[1]! - a[1]!;
  return b[2]! - a[2]!;
}

interface Lag {
  days?: number;
  releases?: number;
}

function severityOf(lag: Lag, r: CheckSettings['nodes']['releaseLag']): Severity {
  if (lag.days !== undefined)
    return lag.days >= r.highAfterDays ? 'high' : lag.days >= r.mediumAfterDays ? 'medium' : 'low';
  const n = lag.releases ?? 0;
  return n >= r.highAfterReleases ? 'high' : n >= r.mediumAfterReleases ? 'medium' : 'low';
}

function judge(s: EksClusterSnapshot, ng: Nodegroup, settings: CheckSettings) {
  const version = ng.version ?? s.cluster?.version;
  const amiType = ng.amiType;
  const current = ng.releaseVersion;
  const base = { amiType, version, releaseVersion: current };
  if (!version || !amiType || !current)
    return nodegroupResult(
      s,
      ng,
      'NOT_APPLICABLE',
      `Node group ${ngName(ng)} reports no version, amiType or releaseVersion`,
      base,
    );
  const rec = s.references.recommendedReleases[recommendedReleaseKey(version, amiType)];
  if (!rec) {
    const why =
      amiType === 'CUSTOM'
        ? 'a custom AMI (its age is judged by EKS.NODES.3)'
        : `AMI type ${amiType}, for which kubeposture reads no recommended release`;
    return nodegroupResult(s, ng, 'NOT_APPLICABLE', `Node group ${ngName(ng)} uses ${why}`, base);
  }
  const evidence = { ...base, parameter: rec.parameter, recommendedReleaseVersion: rec.releaseVersion };
  if (!rec.releaseVersion) {
    return nodegroupResult(
      s,
      ng,
      'NOT_APPLICABLE',
      `AWS publishes no recommended ${amiType} release for Kubernetes ${version} (${rec.parameter} does not exist)`,
      evidence,
    );
  }
  if (current === rec.releaseVersion)
    return nodegroupResult(
      s,
      ng,
      'PASS',
      `Node group ${ngName(ng)} runs the recommended release ${current} (${amiType}, Kubernetes ${version})`,
      evidence,
    );

  const lag: Lag = {};
  const [from, to] = [buildDate(current), buildDate(rec.releaseVersion)];
  if (from && to) lag.days = daysBetween(from, to);
  else if (amiType.startsWith('BOTTLEROCKET')) {
    const n = bottlerocketReleasesBehind(current, rec.releaseVersion);
    if (n !== undefined) lag.releases = n;
  }
  if (lag.days === undefined && lag.releases === undefined) {
    return nodegroupResult(
      s,
      ng,
      'NOT_APPLICABLE',
      `Cannot compare node group ${ngName(ng)}'s release ${current} with the recommended ${rec.releaseVersion}`,
      evidence,
    );
  }
  const behind = (lag.days ?? lag.releases ?? 0) > 0;
  const r = settings.nodes.releaseLag;
  const measure =
    lag.days !== undefined
      ? `${lag.days} days behind the recommended ${rec.releaseVersion} (built ${isoDay(from!)} vs ${isoDay(to!)})`
      : `${lag.releases} release${lag.releases === 1 ? '' : 's'} behind the recommended ${rec.releaseVersion}`;
  const full = { ...evidence, daysBehind: lag.days, releasesBehind: lag.releases };
  if (!behind)
    return nodegroupResult(
      s,
      ng,
      'PASS',
      `Node group ${ngName(ng)} runs ${current}, not older than the recommended ${rec.releaseVersion}`,
      full,
    );
  if (lag.days !== undefined && lag.days < r.failAfterDays)
    return nodegroupResult(
      s,
      ng,
      'PASS',
      `Node group ${ngName(ng)} runs ${current}, ${measure}: within the ${r.failAfterDays}-day grace period`,
      full,
    );
  return nodegroupResult(
    s,
    ng,
    'FAIL',
    `Node group ${ngName(ng)} runs ${current}, ${measure}`,
    full,
    severityOf(lag, r),
  );
}

export default defineCheck({
  id: 'EKS.NODES.2',
  slug: 'eks-nodegroup-release-current',
  title: 'EKS managed node groups run the AMI release AWS currently recommends',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'nodes',
  needs: ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup', 'ssm:GetParameter'],
  reads: [
    'eks:DescribeCluster cluster.version',
    'eks:DescribeNodegroup nodegroup.{amiType,releaseVersion,version}',
    'ssm:GetParameter (recommended release per AMI family)',
  ],
  frameworks: {},
  risk: 'Each EKS-optimized AMI release carries kernel, containerd, kubelet and OS package fixes. Managed node groups do not update themselves: a group left on an old release keeps every vulnerability fixed since, on every node, until someone updates it.',
  remediation: {
    text: 'Update the node group to the latest release for its Kubernetes version (a rolling replacement that respects PodDisruptionBudgets). Automate it: run update-nodegroup-version from a pipeline after each AMI release. Thresholds are in checks.nodes.releaseLag.',
    cli: 'aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <nodegroup>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id-bottlerocket.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html',
  ],
  severityRationale:
    'Grows with the lag: low just past the grace period, medium after 45 days (or 2 Bottlerocket releases), high after 90 days (or 4 releases), as unpatched node vulnerabilities accumulate; all configurable.',
  evaluate(s, ctx) {
    return eachNodegroup(s, 'AMI releases', (ng) => judge(s, ng, ctx.settings));
  },
});
