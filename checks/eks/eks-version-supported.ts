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
  id: 'EKS.VERSIONS.1',
  slug: 'eks-version-supported',
  title: 'EKS cluster runs a Kubernetes version in standard support, not close to its end',
  provider: 'aws',
  service: 'eks',
  severity: 'high',
  category: 'versions',
  needs: ['eks:DescribeCluster', 'eks:DescribeClusterVersions'],
  reads: [
    'eks:DescribeCluster cluster.version',
    'eks:DescribeClusterVersions clusterVersions[].{endOfStandardSupportDate,endOfExtendedSupportDate}',
  ],
  frameworks: { securityhub: ['EKS.2'] },
  risk: 'A version past standard support costs extra every hour it runs and gets fewer fixes; past extended support it gets no security patches at all and EKS upgrades it on its own schedule, which can break workloads that were never tested on the next version. Near the end of standard support, there is little time left to plan and test the upgrade of control plane, node groups and add-ons.',
  remediation: {
    text: 'Upgrade the control plane one minor version at a time, then the node groups and add-ons, after checking EKS upgrade insights for deprecated APIs. Plan the next upgrade before the end of standard support. The warning window is checks.versions.warnDays (default 90 days).',
    cli: 'aws eks update-cluster-version --name <cluster> --kubernetes-version <next-minor-version>',
    url: 'https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html',
  },
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
    'https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeClusterVersions.html',
    'https://aws.amazon.com/eks/pricing/',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html',
  ],
  severityRationale:
    'High in extended support (extra cost, fewer fixes; Security Hub EKS.2 is high); critical past extended support (no patches, forced upgrade); medium within the warning window (nothing is wrong yet, but the deadline is near).',
  evaluate(s, ctx) {
    const judged = clusterCalendar(s, 'version support');
    if ('result' in judged) return [judged.result];
    const { version, entry } = judged;

    const { endOfStandardSupport: std, endOfExtendedSupport: ext } = entry;
    const daysToStandard = daysBetween(ctx.now, std);
    const daysToExtended = daysBetween(ctx.now, ext);
    const evidence = {
      version,
      endOfStandardSupportDate: isoDay(std),
      endOfExtendedSupportDate: isoDay(ext),
      daysToEndOfStandardSupport: daysToStandard,
      daysToEndOfExtendedSupport: daysToExtended,
      warnDays: ctx.settings.versions.warnDays,
      ...calendarEvidence(s),
    };
    const note = sourceNote(s);

    if (ctx.now >= ext) {
      return [
        {
          ...clusterResult(
            s,
            'FAIL',
            `Kubernetes ${version} is past the end of extended support (${isoDay(ext)}, ${-daysToExtended} days ago): no more patches, and EKS upgrades it automatically${note}`,
            evidence,
          ),
          severity: 'critical',
        },
      ];
    }
    if (ctx.now >= std) {
      return [
        clusterResult(
          s,
          'FAIL',
          `Kubernetes ${version} is in extended support since ${isoDay(std)}, which ends on ${isoDay(ext)} (${daysToExtended} days left); extended support costs ${extendedSupportCost(ctx.settings)}${note}`,
          evidence,
        ),
      ];
    }
    if (daysToStandard <= ctx.settings.versions.warnDays) {
      return [
        {
          ...clusterResult(
            s,
            'FAIL',
            `Kubernetes ${version} leaves standard support on ${isoDay(std)} (${daysToStandard} days left, within the ${ctx.settings.versions.warnDays}-day warning window)${note}`,
            evidence,
          ),
          severity: 'medium',
        },
      ];
    }
    return [
      clusterResult(
        s,
        'PASS',
        `Kubernetes ${version} is in standard support until ${isoDay(std)} (${daysToStandard} days left)${note}`,
        evidence,
      ),
    ];
  },
});
