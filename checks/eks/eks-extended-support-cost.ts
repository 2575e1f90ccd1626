import { defineCheck } from '../../core/check.ts';
import { clusterResult } from './lib/results.ts';
import {
  calendarEvidence,
  clusterCalendar,
  daysBetween,
  extendedSupportCost,
  isoDay,
  sourceNote,
} from './lib/versions.ts';

export default defineCheck({
  id: 'EKS.VERSIONS.2',
  slug: 'eks-extended-support-cost',
  title: 'EKS cluster near the end of standard support will not silently move into paid extended support',
  provider: 'aws',
  service: 'eks',
  severity: 'medium',
  category: 'versions',
  needs: ['eks:DescribeCluster', 'eks:DescribeClusterVersions'],
  reads: [
    'eks:DescribeCluster cluster.{version,upgradePolicy.supportType}',
    'eks:DescribeClusterVersions clusterVersions[].endOfStandardSupportDate',
  ],
  frameworks: {},
  risk: 'Extended support is on by default (upgradePolicy.supportType EXTENDED). A cluster that is not upgraded in time keeps running at the extended-support price instead of being upgraded, so the cost grows quietly, cluster by cluster, until someone reads the bill.',
  remediation: {
    text: 'Upgrade the cluster before the end of standard support, or, if an automatic upgrade at the end of standard support is acceptable, set the upgrade policy to STANDARD while the cluster is still on a standard-support version.',
    cli: 'aws eks update-cluster-config --name <cluster> --upgrade-policy supportType=STANDARD',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
    'https://aws.amazon.com/eks/pricing/',
  ],
  severityRationale:
    'Medium: a cost and planning risk rather than an exposure; the version check itself reports the security side.',
  evaluate(s, ctx) {
    const judged = clusterCalendar(s, 'the upgrade policy');
    if ('result' in judged) return [judged.result];
    const { version, entry } = judged;

    // EKS defaults new and existing clusters to EXTENDED; an absent policy is treated as that default.
    const reported = s.cluster?.upgradePolicy?.supportType;
    const supportType = reported ?? 'EXTENDED';
    const std = entry.endOfStandardSupport;
    const days = daysBetween(ctx.now, std);
    const note = sourceNote(s);
    const evidence = {
      version,
      supportType,
      supportTypeReported: reported !== undefined,
      endOfStandardSupportDate: isoDay(std),
      daysToEndOfStandardSupport: days,
      warnDays: ctx.settings.versions.warnDays,
      ...calendarEvidence(s),
    };
    const policy = reported
      ? `upgradePolicy.supportType ${supportType}`
      : 'no upgradePolicy reported (EXTENDED is the default)';

    if (supportType !== 'EXTENDED') {
      return [
        clusterResult(
          s,
          'PASS',
          `${policy}: EKS upgrades Kubernetes ${version} at the end of standard support (${isoDay(std)}) instead of charging for extended support${note}`,
          evidence,
        ),
      ];
    }
    if (ctx.now >= std) {
      return [
        clusterResult(
          s,
          'FAIL',
          `Kubernetes ${version} has been in paid extended support since ${isoDay(std)} (${policy}): it costs ${extendedSupportCost(ctx.settings)}${note}`,
          evidence,
        ),
      ];
    }
    if (days <= ctx.settings.versions.warnDays) {
      return [
        clusterResult(
          s,
          'FAIL',
          `Kubernetes ${version} leaves standard support on ${isoDay(std)} (${days} days left) and ${policy}: unless upgraded, it will then cost ${extendedSupportCost(ctx.settings)}${note}`,
          evidence,
        ),
      ];
    }
    return [
      clusterResult(
        s,
        'PASS',
        `${policy}, but standard support for Kubernetes ${version} lasts until ${isoDay(std)} (${days} days, outside the ${ctx.settings.versions.warnDays}-day window)${note}`,
        evidence,
      ),
    ];
  },
});
