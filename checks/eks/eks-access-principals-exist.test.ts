import { describe } from 'vitest';
import { anAccessEntry, iamFacts, roleArn, TEST_ADMIN_ROLE, userArn } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-access-principals-exist.ts';
import { anAwsAuth } from './fixtures.ts';

const both = { accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' as const } };

const cases: CheckCase[] = [
  {
    name: 'passes when every principal exists',
    overrides: {},
    status: 'PASS',
    says: ['All 1 principals of account 111122223333'],
  },
  {
    name: 'fails an access entry whose role was deleted, naming it',
    overrides: { iam: iamFacts({ arn: TEST_ADMIN_ROLE, kind: 'role', exists: false }) },
    status: 'FAIL',
    says: [`${TEST_ADMIN_ROLE} (access entry)`, 'no longer exists'],
  },
  {
    name: 'fails an aws-auth user mapping whose user was deleted',
    overrides: {
      cluster: both,
      awsAuth: anAwsAuth({ mapUsers: [{ userarn: userArn('gone'), groups: [] }] }),
      iam: iamFacts(
        { arn: TEST_ADMIN_ROLE, kind: 'role', exists: true },
        { arn: userArn('gone'), kind: 'user', exists: false },
      ),
    },
    status: 'FAIL',
    says: [`${userArn('gone')} (aws-auth mapUsers)`],
  },
  {
    name: 'does not judge principals of other accounts, and says so',
    overrides: {
      accessEntries: [anAccessEntry(TEST_ADMIN_ROLE), anAccessEntry(roleArn('ci', '444455556666'))],
    },
    status: 'PASS',
    says: ['1 in other accounts not verifiable'],
  },
  {
    name: 'says ERROR when a referenced principal has no IAM facts',
    overrides: { iam: {} },
    status: 'ERROR',
    says: [`no IAM facts collected for ${TEST_ADMIN_ROLE}`],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ACCESS.5 eks-access-principals-exist', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
