import { describe } from 'vitest';
import { aRole, irsaTrustPolicy, roleArn, TEST_OIDC_PROVIDER_ARN } from './builders.ts';
import type { CheckCase } from './cases.ts';
import check from './eks-pod-role-privilege-paths.ts';
import { allowStmt, anIamRole, aPodRole, aPolicyDocument, awsPolicy, trustFor } from './iam-builders.ts';
import { itEvaluatesPathCases } from './path-cases.ts';
import { iamWith } from './path-fixtures.ts';

const podRole = (...statements: Record<string, unknown>[]) =>
  iamWith({ roles: [aPodRole('payments-api-pod', { inline: { p: aPolicyDocument(...statements) } })] });

const cases: CheckCase[] = [
  { name: 'passes for a pod role scoped to one bucket', overrides: {}, status: 'PASS', says: ['1 pod role, none'] },
  {
    name: 'fails, critical, for an admin-equivalent pod role',
    overrides: {
      iamAuthorization: iamWith({
        roles: [aPodRole('payments-api-pod', { attached: [awsPolicy('AdministratorAccess')] })],
      }),
    },
    status: 'FAIL',
    severity: 'critical',
    says: ['payments/api (eks-auth:AssumeRoleForPodIdentity) → role/payments-api-pod (iam:*) → admin-equivalent'],
  },
  {
    name: 'fails, high, for iam:PassRole with lambda:CreateFunction',
    overrides: { iamAuthorization: podRole(allowStmt(['iam:PassRole', 'lambda:CreateFunction'])) },
    status: 'FAIL',
    severity: 'high',
    says: ['(iam:PassRole + lambda:CreateFunction) → privilege-escalation'],
  },
  {
    name: 'fails, high, for a pod role that can assume an admin role',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          aPodRole('payments-api-pod', {
            inline: { p: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn('admin'))) },
          }),
          anIamRole('admin', trustFor({ AWS: 'arn:aws:iam::111122223333:root' }), {
            attached: [awsPolicy('AdministratorAccess')],
          }),
        ],
      }),
    },
    status: 'FAIL',
    severity: 'high',
    says: ['role/payments-api-pod (sts:AssumeRole) → role/admin (iam:*) → privilege-escalation'],
  },
  {
    name: 'fails, medium, for secretsmanager:GetSecretValue on every secret',
    overrides: { iamAuthorization: podRole(allowStmt('secretsmanager:GetSecretValue')) },
    status: 'FAIL',
    severity: 'medium',
    says: ['(secretsmanager:GetSecretValue) → data-access'],
  },
  {
    name: 'fails for an IRSA role, starting at its service account',
    overrides: {
      podIdentityAssociations: [],
      oidcProviders: [TEST_OIDC_PROVIDER_ARN],
      irsaRoles: [aRole('payments-irsa', irsaTrustPolicy())],
      iamAuthorization: iamWith({
        roles: [
          anIamRole('payments-irsa', irsaTrustPolicy(), { inline: { p: aPolicyDocument(allowStmt('kms:Decrypt')) } }),
        ],
      }),
    },
    status: 'FAIL',
    says: ['payments/api (sts:AssumeRoleWithWebIdentity) → role/payments-irsa (kms:Decrypt) → data-access'],
  },
  {
    name: 'passes when secrets are read only in the pod role own path',
    overrides: {
      iamAuthorization: podRole(
        allowStmt('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:*:*:secret:payments/*'),
      ),
    },
    status: 'PASS',
    says: ['none admin-equivalent'],
  },
  {
    name: 'is not applicable without Pod Identity or IRSA roles',
    overrides: { podIdentityAssociations: [] },
    status: 'NOT_APPLICABLE',
    says: ['No pod gets an IAM role'],
  },
  {
    name: 'says ERROR, naming the policy, when the pod role policy could not be parsed',
    overrides: {
      iamAuthorization: iamWith({ roles: [aPodRole('payments-api-pod', { inline: { broken: undefined } })] }),
    },
    status: 'ERROR',
    says: ['inline:broken'],
  },
];

describe(check.id, () => {
  itEvaluatesPathCases(check, cases);
});
