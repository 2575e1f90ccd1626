import { describe } from 'vitest';
import { anAccessEntry, roleArn } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-access-entries-authentication-mode.ts';
import { anAwsAuth } from './fixtures.ts';

const NODE = roleArn('payments-prod-node-role');
const nodes = { rolearn: NODE, groups: ['system:bootstrappers', 'system:nodes'] };
const both = { cluster: { accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' as const } } };

const cases: CheckCase[] = [
  {
    name: 'passes API mode, where aws-auth is ignored',
    overrides: {},
    status: 'PASS',
    says: ['authenticationMode is API'],
  },
  {
    name: 'fails CONFIG_MAP mode',
    overrides: { cluster: { accessConfig: { authenticationMode: 'CONFIG_MAP' } } },
    status: 'FAIL',
    says: ['authenticationMode is CONFIG_MAP', 'deprecated aws-auth'],
  },
  {
    name: 'fails a cluster that reports no mode, since that is the pre-access-entry CONFIG_MAP',
    overrides: { cluster: { accessConfig: undefined } },
    status: 'FAIL',
    says: ['not reported'],
  },
  {
    name: 'passes API_AND_CONFIG_MAP when there is no aws-auth ConfigMap',
    overrides: { ...both, awsAuth: anAwsAuth({ exists: false }) },
    status: 'PASS',
    says: ['maps no principals', 'no aws-auth ConfigMap'],
  },
  {
    name: 'fails API_AND_CONFIG_MAP while aws-auth maps a principal with no access entry, naming it',
    overrides: { ...both, awsAuth: anAwsAuth({ mapRoles: [nodes] }) },
    status: 'FAIL',
    says: ['Migration to access entries unfinished', 'maps 1 principal', `without an access entry: ${NODE}`],
  },
  {
    name: 'fails API_AND_CONFIG_MAP even when every mapping has an access entry, asking to switch to API',
    overrides: {
      ...both,
      awsAuth: anAwsAuth({
        mapRoles: [{ ...nodes, rolearn: roleArn('payments-prod-node-role').replace('role/', 'role/nodes/') }],
      }),
      accessEntries: [anAccessEntry(NODE, { type: 'EC2_LINUX' })],
    },
    status: 'FAIL',
    says: ['every mapping has an access entry: switch to API'],
  },
  {
    name: 'counts mapAccounts as principals still mapped',
    overrides: { ...both, awsAuth: anAwsAuth({ mapAccounts: ['444455556666'] }) },
    status: 'FAIL',
    says: ['account 444455556666 (mapAccounts)'],
  },
  {
    name: 'says ERROR with the reason when aws-auth could not be read in API_AND_CONFIG_MAP mode',
    overrides: {
      ...both,
      gaps: [{ need: 'k8s:aws-auth', code: 'Unreachable', error: 'Unreachable: private endpoint' }],
    },
    status: 'ERROR',
    says: ['k8s:aws-auth: Unreachable: private endpoint'],
  },
  {
    name: 'still fails CONFIG_MAP when aws-auth could not be read: the mode alone decides',
    overrides: {
      cluster: { accessConfig: { authenticationMode: 'CONFIG_MAP' } },
      gaps: [{ need: 'k8s:aws-auth', error: 'Unreachable' }],
    },
    status: 'FAIL',
    says: ['CONFIG_MAP'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.ACCESS.1 eks-access-entries-authentication-mode', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
