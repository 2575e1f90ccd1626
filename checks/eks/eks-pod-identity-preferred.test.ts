import { describe } from 'vitest';
import { aRole, irsaTrustPolicy } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-pod-identity-preferred.ts';

const irsaRoles = [aRole('app', irsaTrustPolicy())];

const cases: CheckCase[] = [
  { name: 'passes a cluster without IRSA roles', overrides: {}, status: 'PASS', says: ['No IRSA roles'] },
  {
    name: 'passes a cluster that uses Pod Identity alongside IRSA',
    overrides: { irsaRoles },
    status: 'PASS',
    says: ['Uses Pod Identity (1 association(s)) alongside 1 IRSA role(s)'],
  },
  {
    name: 'recommends Pod Identity for an IRSA-only cluster',
    overrides: { irsaRoles, podIdentityAssociations: [] },
    status: 'FAIL',
    says: ['Relies only on IRSA', 'available on Kubernetes 1.34'],
  },
  {
    name: 'passes an IRSA-only cluster too old for Pod Identity',
    overrides: { irsaRoles, podIdentityAssociations: [], cluster: { version: '1.23' } },
    status: 'PASS',
    says: ['needs Kubernetes 1.24+'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.IDENTITY.5 eks-pod-identity-preferred', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
