import { describe } from 'vitest';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-deletion-protection-production.ts';

const cases: CheckCase[] = [
  {
    name: 'passes a production-tagged cluster with deletion protection',
    overrides: {},
    status: 'PASS',
    says: ['Production cluster (environment=production) has deletion protection on'],
  },
  {
    name: 'fails a production-tagged cluster without deletion protection',
    overrides: { cluster: { deletionProtection: false } },
    status: 'FAIL',
    says: ['Production cluster (environment=production) has deletion protection off'],
  },
  {
    name: 'fails when deletionProtection is not reported, since off is the default',
    overrides: { cluster: { deletionProtection: undefined, tags: { environment: 'PROD' } } },
    status: 'FAIL',
    says: ['(environment=PROD) has deletion protection not reported (off by default)'],
  },
  {
    name: 'says NOT_APPLICABLE for a cluster not tagged as production',
    overrides: { cluster: { deletionProtection: false, tags: { environment: 'staging' } } },
    status: 'NOT_APPLICABLE',
    says: ['Not tagged as production (looked for env=prod|production'],
  },
  {
    name: 'uses the configured production tags',
    overrides: { cluster: { deletionProtection: false, tags: { tier: 'critical' } } },
    settings: { hygiene: { productionTags: { tier: ['critical'] } } },
    status: 'FAIL',
    says: ['(tier=critical)'],
  },
];

describe('EKS.HYGIENE.1 eks-deletion-protection-production', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'eks:DescribeCluster');
});
