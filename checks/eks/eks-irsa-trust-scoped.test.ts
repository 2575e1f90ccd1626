import { describe, expect, it } from 'vitest';
import { aContext, anEksCluster, aRole, evaluateOnce, irsaTrustPolicy, TEST_OIDC_HOST_PATH } from './builders.ts';
import { type CheckCase, itErrorsOnEachGap, itEvaluatesCases } from './cases.ts';
import check from './eks-irsa-trust-scoped.ts';

const irsa = (trust: ReturnType<typeof irsaTrustPolicy> | undefined) => ({ irsaRoles: [aRole('app', trust)] });
const AUD = 'sts.amazonaws.com';

const cases: CheckCase[] = [
  { name: 'passes when no role trusts the cluster issuer', overrides: {}, status: 'PASS', says: ['No role trusts'] },
  {
    name: 'passes a role pinned to one service account and the STS audience',
    overrides: irsa(irsaTrustPolicy()),
    status: 'PASS',
    says: ['pin :sub'],
  },
  {
    name: 'passes a list of exact subjects',
    overrides: irsa(irsaTrustPolicy({ sub: ['system:serviceaccount:a:x', 'system:serviceaccount:b:y'], aud: AUD })),
    status: 'PASS',
    says: ['All 1 IRSA role(s)'],
  },
  {
    name: 'ignores a role that only mentions the issuer without trusting its provider',
    overrides: irsa({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { [`${TEST_OIDC_HOST_PATH}:sub`]: 'x' } },
        },
      ],
    }),
    status: 'PASS',
    says: ['No role trusts'],
  },
  {
    name: 'fails a role with no :sub condition',
    overrides: irsa(irsaTrustPolicy({ aud: AUD })),
    status: 'FAIL',
    says: ['no :sub condition, so any service account'],
  },
  {
    name: 'fails a role whose only :sub condition is negated',
    overrides: irsa(
      irsaTrustPolicy({ sub: 'system:serviceaccount:kube-system:x', aud: AUD, operator: 'StringNotEquals' }),
    ),
    status: 'FAIL',
    says: ['no :sub condition'],
  },
  {
    name: 'fails a wildcard :sub',
    overrides: irsa(irsaTrustPolicy({ sub: 'system:serviceaccount:*', aud: AUD, operator: 'StringLike' })),
    status: 'FAIL',
    says: ['a wildcard :sub', 'sub system:serviceaccount:*'],
  },
  {
    name: 'fails a role without an :aud condition',
    overrides: irsa(irsaTrustPolicy({ sub: 'system:serviceaccount:a:b' })),
    status: 'FAIL',
    says: [':aud not pinned to sts.amazonaws.com'],
  },
  {
    name: 'says ERROR when a candidate trust policy could not be parsed',
    overrides: irsa(undefined),
    status: 'ERROR',
    says: ['unreadable trust policy'],
  },
  {
    name: 'passes a cluster without an OIDC issuer',
    overrides: { cluster: { identity: undefined } },
    status: 'PASS',
    says: ['no OIDC issuer'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.IDENTITY.3 eks-irsa-trust-scoped', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnEachGap(check);

  it.each([
    ['critical with no :sub', irsaTrustPolicy({ aud: AUD }), 'critical'],
    [
      'high with a wildcard :sub',
      irsaTrustPolicy({ sub: 'system:serviceaccount:ns:*', aud: AUD, operator: 'StringLike' }),
      'high',
    ],
    ['low when only :aud is missing', irsaTrustPolicy({ sub: 'system:serviceaccount:ns:sa' }), 'low'],
  ])('rates the result %s', (_name, trust, severity) => {
    expect(evaluateOnce(check, anEksCluster(irsa(trust)), aContext()).severity).toBe(severity);
  });
});
