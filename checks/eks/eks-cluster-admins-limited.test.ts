import { describe, expect, it } from 'vitest';
import { aContext, anAccessEntry, anEksCluster, evaluateOnce, roleArn, TEST_ADMIN_ROLE, userArn } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-cluster-admins-limited.ts';
import { anAwsAuth } from './fixtures.ts';

const admin = (arn: string) => anAccessEntry(arn, { policies: ['AmazonEKSClusterAdminPolicy'] });
const admins = (n: number) => Array.from({ length: n }, (_, i) => admin(roleArn(`admin-${i}`)));

const cases: CheckCase[] = [
  {
    name: 'passes one admin role of the cluster account, naming it and how',
    overrides: {},
    status: 'PASS',
    says: [TEST_ADMIN_ROLE, 'AmazonEKSClusterAdminPolicy (cluster scope)'],
  },
  {
    name: 'passes when nobody holds cluster-admin',
    overrides: { accessEntries: [] },
    status: 'PASS',
    says: ['No principal holds cluster-admin'],
  },
  {
    name: 'does not count an admin policy scoped to namespaces',
    overrides: {
      accessEntries: [
        anAccessEntry(userArn('dev'), { policies: [{ name: 'AmazonEKSAdminPolicy', namespaces: ['dev'] }] }),
      ],
    },
    status: 'PASS',
    says: ['No principal holds cluster-admin'],
  },
  {
    name: 'passes exactly the configured maximum',
    overrides: { accessEntries: admins(3) },
    status: 'PASS',
    says: ['3 cluster-admin holders'],
  },
  {
    name: 'fails more holders than the maximum',
    overrides: { accessEntries: admins(4) },
    status: 'FAIL',
    says: ['4 holders, more than the 3 allowed'],
  },
  {
    name: 'honours a configured maximum',
    overrides: { accessEntries: admins(2) },
    settings: { access: { maxClusterAdmins: 1 } },
    status: 'FAIL',
    says: ['more than the 1 allowed'],
  },
  {
    name: 'fails an IAM user holding AmazonEKSAdminPolicy at cluster scope',
    overrides: { accessEntries: [anAccessEntry(userArn('alice'), { policies: ['AmazonEKSAdminPolicy'] })] },
    status: 'FAIL',
    says: [`IAM user ${userArn('alice')}`],
  },
  {
    name: 'fails a principal of another account in system:masters through kubernetesGroups',
    overrides: {
      accessEntries: [anAccessEntry(roleArn('ci', '444455556666'), { kubernetesGroups: ['system:masters'] })],
    },
    status: 'FAIL',
    says: ['from outside account 111122223333: arn:aws:iam::444455556666:role/ci'],
  },
  {
    name: 'counts aws-auth system:masters mappings, once per principal across both paths',
    overrides: {
      cluster: { accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } },
      awsAuth: anAwsAuth({
        mapRoles: [
          { rolearn: TEST_ADMIN_ROLE, groups: ['system:masters'] },
          { rolearn: roleArn('ops'), groups: ['system:masters'] },
        ],
      }),
    },
    status: 'PASS',
    says: ['2 cluster-admin holders', 'aws-auth mapRoles: system:masters'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ACCESS.3 eks-cluster-admins-limited', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);

  it('lists every holder in the evidence, with kind, account and path: an access inventory', () => {
    const r = evaluateOnce(
      check,
      anEksCluster({ accessEntries: [admin(TEST_ADMIN_ROLE), admin(userArn('alice'))] }),
      aContext(),
    );
    expect(r.evidence?.clusterAdmins).toEqual([
      {
        principalArn: TEST_ADMIN_ROLE,
        via: ['access entry: AmazonEKSClusterAdminPolicy (cluster scope)'],
        kind: 'role',
        accountId: '111122223333',
      },
      {
        principalArn: userArn('alice'),
        via: ['access entry: AmazonEKSClusterAdminPolicy (cluster scope)'],
        kind: 'user',
        accountId: '111122223333',
      },
    ]);
  });
});
