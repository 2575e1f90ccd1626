import { describe } from 'vitest';
import { aRole, irsaTrustPolicy, TEST_OIDC_PROVIDER_ARN } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-irsa-oidc-provider-exists.ts';

const irsaRoles = [aRole('app', irsaTrustPolicy())];

const cases: CheckCase[] = [
  {
    name: 'passes when the provider exists',
    overrides: { irsaRoles, oidcProviders: [TEST_OIDC_PROVIDER_ARN] },
    status: 'PASS',
    says: [TEST_OIDC_PROVIDER_ARN],
  },
  {
    name: 'passes when IRSA is not in use and there is no provider',
    overrides: {},
    status: 'PASS',
    says: ['IRSA is not in use'],
  },
  {
    name: 'fails roles that trust an issuer with no IAM OIDC provider, naming them',
    overrides: { irsaRoles, oidcProviders: [] },
    status: 'FAIL',
    says: ['IRSA is broken', 'arn:aws:iam::111122223333:role/app'],
  },
  {
    name: 'fails when the only provider is another cluster’s',
    overrides: { irsaRoles, oidcProviders: [TEST_OIDC_PROVIDER_ARN.replace('0A1B2C', 'FFFFFF')] },
    status: 'FAIL',
    says: ['no IAM OIDC provider'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.IDENTITY.4 eks-irsa-oidc-provider-exists', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);
});
