import type { Addon, AddonInfo } from '@aws-sdk/client-eks';
import { type CheckResult, defineCheck } from '../../core/check.ts';
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import { memoizeByObject } from '../lib/memo.ts';
import { missingField } from './lib/results.ts';
import { compareVersions } from './lib/versions.ts';

function addonResult(
  s: EksClusterSnapshot,
  a: Addon,
  status: CheckResult['status'],
  message: string,
  evidence: Record<string, unknown>,
  severity?: CheckResult['severity'],
): CheckResult {
  const result: CheckResult = {
    status,
    resourceId: a.addonArn ?? `${s.arn}/addon/${a.addonName ?? '?'}`,
    message,
    evidence: { addonName: a.addonName, addonVersion: a.addonVersion, ...evidence },
  };
  if (severity) result.severity = severity;
  return result;
}

// Per DescribeAddonVersions answer (shared by the clusters of a region), per Kubernetes version.
const compatibleByInfo = memoizeByObject((_: AddonInfo) => new Map<string, readonly string[]>());

/** The add-on's versions compatible with Kubernetes `k8s`, oldest first; read-only (shared). */
function compatibleVersions(info: AddonInfo | undefined, k8s: string): readonly string[] {
  if (!info) return [];
  const byK8s = compatibleByInfo(info);
  let list = byK8s.get(k8s);
  if (!list) {
    list = Object.freeze(
      (info.addonVersions ?? [])
        .filter((v) => v.addonVersion && (v.compatibilities ?? []).some((c) => c.clusterVersion === k8s))
        .map((v) => v.addonVersion!)
        .sort(compareVersions),
    );
    byK8s.set(k8s, list);
  }
  return list;
}

export default defineCheck({
  id: 'EKS.VERSIONS.3',
  slug: 'eks-addons-current',
  title: 'EKS add-ons are healthy and on the latest version compatible with the cluster',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'versions',
  needs: ['eks:DescribeCluster', 'eks:ListAddons', 'eks:DescribeAddon', 'eks:DescribeAddonVersions'],
  reads: [
    'eks:DescribeCluster cluster.version',
    'eks:DescribeAddon addon.{addonName,addonVersion,health.issues}',
    'eks:DescribeAddonVersions addons[].addonVersions[].{addonVersion,compatibilities[].clusterVersion}',
  ],
  frameworks: {},
  risk: 'Add-ons such as the VPC CNI, CoreDNS and kube-proxy run privileged on every node or serve every pod. Old versions miss security fixes and block the next cluster upgrade; a degraded add-on (health issues) can silently break networking, DNS or credentials for workloads.',
  remediation: {
    text: 'Update each add-on to the latest version EKS lists as compatible with the cluster version (check its release notes and configuration values first), and fix the health issues EKS reports.',
    cli: 'aws eks update-addon --cluster-name <cluster> --addon-name <addon> --addon-version <latest-compatible-version> --resolve-conflicts PRESERVE',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_AddonHealth.html',
  ],
  severityRationale:
    'Low for an add-on behind the latest compatible version (fixes delayed); medium for a degraded add-on or one not listed as compatible with the cluster version (workloads may already be affected).',
  evaluate(s) {
    if (!s.cluster) return [missingField(s, 'cluster', 'add-on versions')];
    const k8s = s.cluster.version;
    if (!k8s) return [missingField(s, 'cluster.version', 'add-on versions')];
    return s.addons.map((a) => {
      const issues = a.health?.issues ?? [];
      if (issues.length > 0) {
        const first = issues[0]!;
        return addonResult(
          s,
          a,
          'FAIL',
          `Add-on ${a.addonName} ${a.addonVersion ?? ''} is degraded: ${issues.length} health issue${issues.length === 1 ? '' : 's'} (${first.code ?? 'unknown'}: ${first.message ?? 'no message'})`.replace(
            /\s+/g,
            ' ',
          ),
          { healthIssues: issues },
          'medium',
        );
      }
      const compatible = compatibleVersions(s.references.addonVersions[a.addonName ?? ''], k8s);
      if (compatible.length === 0 || !a.addonVersion) {
        return addonResult(
          s,
          a,
          'NOT_APPLICABLE',
          `DescribeAddonVersions lists no version of ${a.addonName} compatible with Kubernetes ${k8s} (or the add-on reports no version)`,
          {},
        );
      }
      const latest = compatible[compatible.length - 1]!;
      const evidence = {
        latestCompatibleVersion: latest,
        kubernetesVersion: k8s,
        compatibleVersions: compatible.length,
      };
      if (!compatible.includes(a.addonVersion) && compareVersions(a.addonVersion, latest) < 0) {
        return addonResult(
          s,
          a,
          'FAIL',
          `Add-on ${a.addonName} ${a.addonVersion} is not listed as compatible with Kubernetes ${k8s}; the latest compatible version is ${latest}`,
          evidence,
          'medium',
        );
      }
      if (compareVersions(a.addonVersion, latest) < 0) {
        const behind = compatible.filter((v) => compareVersions(v, a.addonVersion!) > 0).length;
        return addonResult(
          s,
          a,
          'FAIL',
          `Add-on ${a.addonName} ${a.addonVersion} is ${behind} version${behind === 1 ? '' : 's'} behind the latest compatible ${latest}`,
          { ...evidence, versionsBehind: behind },
          'low',
        );
      }
      return addonResult(
        s,
        a,
        'PASS',
        `Add-on ${a.addonName} ${a.addonVersion} is healthy and the latest compatible version`,
        evidence,
      );
    });
  },
});
