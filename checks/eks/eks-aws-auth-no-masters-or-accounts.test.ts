import { describe } from 'vitest';
import { roleArn, userArn } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-aws-auth-no-masters-or-accounts.ts';
import { anAwsAuth } from './fixtures.ts';

const configMap = { cluster: { accessConfig: { authenticationMode: 'CONFIG_MAP' as const } } };

const cases: CheckCase[] = [
  {
    name: 'passes API mode, where EKS does not read aws-auth',
    overrides: {},
    status: 'PASS',
    says: ['EKS does not read aws-auth'],
  },
  {
    name: 'passes API mode even when a stale aws-auth maps system:masters',
    overrides: { awsAuth: anAwsAuth({ mapRoles: [{ rolearn: roleArn('old'), groups: ['system:masters'] }] }) },
    status: 'PASS',
    says: ['authenticationMode is API'],
  },
  {
    name: 'passes when aws-auth maps only node roles',
    overrides: {
      ...configMap,
      awsAuth: anAwsAuth({ mapRoles: [{ rolearn: roleArn('nodes'), groups: ['system:nodes'] }] }),
    },
    status: 'PASS',
    says: ['maps 1 principal, none into system:masters'],
  },
  {
    name: 'passes when there is no ConfigMap',
    overrides: { ...configMap, awsAuth: anAwsAuth({ exists: false }) },
    status: 'PASS',
    says: ['no aws-auth ConfigMap'],
  },
  {
    name: 'fails a role and a user mapped into system:masters, naming both',
    overrides: {
      ...configMap,
      awsAuth: anAwsAuth({
        mapRoles: [{ rolearn: roleArn('admin'), groups: ['system:masters'] }],
        mapUsers: [{ userarn: userArn('bob'), groups: ['system:masters', 'dev'] }],
      }),
    },
    status: 'FAIL',
    says: [`${roleArn('admin')}, ${userArn('bob')} into system:masters`],
  },
  {
    name: 'fails mapAccounts, naming the accounts',
    overrides: { ...configMap, awsAuth: anAwsAuth({ mapAccounts: ['444455556666', '777788889999'] }) },
    status: 'FAIL',
    says: ['every principal of account 444455556666, 777788889999'],
  },
  {
    name: 'says ERROR when aws-auth was not collected in a mode that reads it',
    overrides: configMap,
    status: 'ERROR',
    says: ['aws-auth ConfigMap was not collected'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ACCESS.2 eks-aws-auth-no-masters-or-accounts', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
