import { describe, expect, it } from 'vitest';
import { aContext, anEksCluster, evaluateOnce, TEST_CALENDAR } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-version-supported.ts';

// TEST_NOW is 2026-06-01: 1.34 ends standard support 2026-12-02, 1.33 on 2026-07-29, 1.32 is in extended support
// until 2027-03-23, and 1.29's extended support ended 2026-03-23.
const fallback = {
  source: 'fallback' as const,
  versions: TEST_CALENDAR,
  retrieved: '2026-02-14',
  error: 'eks:DescribeClusterVersions: AccessDenied: not authorized',
};

const cases: CheckCase[] = [
  {
    name: 'passes a version far from the end of standard support, with the date and days left',
    overrides: {},
    status: 'PASS',
    says: ['Kubernetes 1.34 is in standard support until 2026-12-02 (184 days left)'],
  },
  {
    name: 'fails at medium severity within the warning window, with the days left',
    overrides: { cluster: { version: '1.33' } },
    status: 'FAIL',
    severity: 'medium',
    says: ['leaves standard support on 2026-07-29 (58 days left, within the 90-day warning window)'],
  },
  {
    name: 'passes the same version when the warning window is shorter than the days left',
    overrides: { cluster: { version: '1.33' } },
    settings: { versions: { warnDays: 30 } },
    status: 'PASS',
    says: ['58 days left'],
  },
  {
    name: 'fails a version in extended support, stating the end date and the extra cost',
    overrides: { cluster: { version: '1.32' } },
    status: 'FAIL',
    says: [
      'in extended support since 2026-03-23',
      'ends on 2027-03-23 (295 days left)',
      '$0.60 per cluster hour instead of $0.10 (about $365 more per month)',
    ],
  },
  {
    name: 'fails a version past the end of extended support as critical',
    overrides: { cluster: { version: '1.29' } },
    status: 'FAIL',
    severity: 'critical',
    says: ['past the end of extended support (2026-03-23, 70 days ago)'],
  },
  {
    name: 'says ERROR for a version the calendar does not list, rather than guessing',
    overrides: { cluster: { version: '1.99' } },
    status: 'ERROR',
    says: ['Kubernetes 1.99 is not in the EKS version calendar'],
  },
  {
    name: 'uses the fallback calendar when the API was unavailable, and says so with its date and the reason',
    overrides: { cluster: { version: '1.33' }, references: { ...anEksCluster().references, versions: fallback } },
    status: 'FAIL',
    says: ['fallback calendar retrieved 2026-02-14, because eks:DescribeClusterVersions: AccessDenied'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.VERSIONS.1 eks-version-supported', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeCluster');

  it('takes its dates from the snapshot: moving the end of standard support changes the verdict', () => {
    const moved = TEST_CALENDAR.map((v) =>
      v.clusterVersion === '1.34' ? { ...v, endOfStandardSupportDate: new Date('2026-06-20T00:00:00Z') } : v,
    );
    const s = anEksCluster({
      references: { ...anEksCluster().references, versions: { source: 'api', versions: moved } },
    });
    const r = evaluateOnce(check, s, aContext());
    expect(r).toMatchObject({ status: 'FAIL', severity: 'medium' });
    expect(r.message).toContain('2026-06-20 (19 days left');
  });

  it('records the dates and their source as evidence', () => {
    const r = evaluateOnce(check, anEksCluster({ cluster: { version: '1.32' } }));
    expect(r.evidence).toMatchObject({
      version: '1.32',
      endOfStandardSupportDate: '2026-03-23',
      endOfExtendedSupportDate: '2027-03-23',
      calendarSource: 'eks:DescribeClusterVersions',
    });
  });
});
