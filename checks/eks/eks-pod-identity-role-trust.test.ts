import { describe } from 'vitest';
import { aPodIdentityAssociation, iamFacts, podIdentityTrustPolicy, roleArn, TEST_POD_ROLE } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-pod-identity-role-trust.ts';

const withTrust = (trustPolicy: Record<string, unknown> | undefined, exists = true) => ({
  iam: iamFacts({ arn: TEST_POD_ROLE, kind: 'role', exists, trustPolicy }),
});

const cases: CheckCase[] = [
  {
    name: 'passes a role that trusts pods.eks.amazonaws.com for AssumeRole and TagSession',
    overrides: {},
    status: 'PASS',
    says: [`payments/api → ${TEST_POD_ROLE}`],
  },
  {
    name: 'passes a trust granting sts:* to the service',
    overrides: withTrust(podIdentityTrustPolicy(['sts:*'])),
    status: 'PASS',
    says: ['trust pods.eks.amazonaws.com'],
  },
  {
    name: 'passes when there are no associations',
    overrides: { podIdentityAssociations: [] },
    status: 'PASS',
    says: ['No Pod Identity associations'],
  },
  {
    name: 'fails a role that no longer exists',
    overrides: withTrust(undefined, false),
    status: 'FAIL',
    says: ['role does not exist'],
  },
  {
    name: 'fails a trust without sts:TagSession',
    overrides: withTrust(podIdentityTrustPolicy(['sts:AssumeRole'])),
    status: 'FAIL',
    says: ['does not allow pods.eks.amazonaws.com sts:TagSession'],
  },
  {
    name: 'fails a trust for another service',
    overrides: withTrust({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    }),
    status: 'FAIL',
    says: ['sts:AssumeRole and sts:TagSession'],
  },
  {
    name: 'fails a Deny-only trust',
    overrides: withTrust({
      Statement: [
        {
          Effect: 'Deny',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    }),
    status: 'FAIL',
    says: ['does not allow'],
  },
  {
    name: 'says ERROR when the role was not looked up',
    overrides: { podIdentityAssociations: [aPodIdentityAssociation('a', 'b', roleArn('unknown'))] },
    status: 'ERROR',
    says: ['no IAM facts collected'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.IDENTITY.2 eks-pod-identity-role-trust', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
