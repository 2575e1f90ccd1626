import { describe } from 'vitest';
import type { EksClusterOverrides } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-extended-support-cost.ts';

const policy = (version: string, supportType: 'STANDARD' | 'EXTENDED' | undefined): EksClusterOverrides => ({
  cluster: { version, upgradePolicy: supportType ? { supportType } : undefined },
});

const cases: CheckCase[] = [
  {
    name: 'passes an EXTENDED policy while standard support is far away',
    overrides: policy('1.34', 'EXTENDED'),
    status: 'PASS',
    says: ['upgradePolicy.supportType EXTENDED', 'until 2026-12-02 (184 days, outside the 90-day window)'],
  },
  {
    name: 'fails an EXTENDED policy near the end of standard support, explaining the cost to come',
    overrides: policy('1.33', 'EXTENDED'),
    status: 'FAIL',
    says: ['leaves standard support on 2026-07-29 (58 days left)', 'will then cost $0.60 per cluster hour'],
  },
  {
    name: 'fails a cluster already paying for extended support',
    overrides: policy('1.32', 'EXTENDED'),
    status: 'FAIL',
    says: ['in paid extended support since 2026-03-23', 'about $365 more per month'],
  },
  {
    name: 'treats a missing upgrade policy as the EXTENDED default, never as safe',
    overrides: policy('1.33', undefined),
    status: 'FAIL',
    says: ['no upgradePolicy reported (EXTENDED is the default)'],
  },
  {
    name: 'passes a STANDARD policy near the end of standard support: EKS upgrades instead of charging',
    overrides: policy('1.33', 'STANDARD'),
    status: 'PASS',
    says: ['EKS upgrades Kubernetes 1.33 at the end of standard support (2026-07-29)'],
  },
  {
    name: 'uses the configured prices in the message',
    overrides: policy('1.33', 'EXTENDED'),
    settings: { versions: { extendedSupportHourlyUsd: 0.5, standardSupportHourlyUsd: 0.1 } },
    status: 'FAIL',
    says: ['$0.50 per cluster hour instead of $0.10 (about $292 more per month)'],
  },
];

describe('EKS.VERSIONS.2 eks-extended-support-cost', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeCluster');
});
