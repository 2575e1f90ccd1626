import { describe } from 'vitest';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-pod-identity-agent-present.ts';

const cases: CheckCase[] = [
  {
    name: 'passes when the agent add-on serves the associations',
    overrides: {},
    status: 'PASS',
    says: ['eks-pod-identity-agent add-on (v1.3.4-eksbuild.1, ACTIVE)'],
  },
  {
    name: 'passes when there are no associations',
    overrides: { podIdentityAssociations: [], addons: [] },
    status: 'PASS',
    says: ['No Pod Identity associations'],
  },
  {
    name: 'passes Auto Mode, which includes the agent',
    overrides: { addons: [], cluster: { computeConfig: { enabled: true } } },
    status: 'PASS',
    says: ['Auto Mode'],
  },
  {
    name: 'fails associations without the agent, naming them and the node-role fall-back',
    overrides: { addons: [], cluster: { computeConfig: { enabled: false } } },
    status: 'FAIL',
    says: ['payments/api', 'no eks-pod-identity-agent add-on', 'node role'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.IDENTITY.1 eks-pod-identity-agent-present', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
