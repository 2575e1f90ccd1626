import { describe } from 'vitest';
import type { CheckCase } from './cases.ts';
import check from './eks-pod-identity-passrole-paths.ts';
import { allowStmt, anIamRole, anIamUser, aPolicyDocument, denyStmt } from './iam-builders.ts';
import { itEvaluatesPathCases } from './path-cases.ts';
import { iamWith } from './path-fixtures.ts';

const PASSED_TO_PODS = { StringEquals: { 'iam:PassedToService': 'pods.eks.amazonaws.com' } };

const cases: CheckCase[] = [
  {
    name: 'passes when nobody can both create associations and pass roles',
    overrides: {},
    status: 'PASS',
    says: ['No principal'],
  },
  {
    name: 'fails, critical, for an IAM user with both',
    overrides: {
      iamAuthorization: iamWith({
        users: [
          anIamUser('ci', {
            inline: { p: aPolicyDocument(allowStmt(['eks:CreatePodIdentityAssociation', 'iam:PassRole'])) },
          }),
        ],
      }),
    },
    status: 'FAIL',
    severity: 'critical',
    says: ['user/ci (eks:CreatePodIdentityAssociation + iam:PassRole) → pod-role-handover'],
  },
  {
    name: 'fails, marked conditional, when PassRole is limited to the Pod Identity service',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          anIamRole('deployer', undefined, {
            inline: {
              p: aPolicyDocument(
                allowStmt('eks:CreatePodIdentityAssociation'),
                allowStmt('iam:PassRole', '*', { Condition: PASSED_TO_PODS }),
              ),
            },
          }),
        ],
      }),
    },
    status: 'FAIL',
    severity: 'high',
    says: ['pod-role-handover (conditional)'],
  },
  {
    name: 'passes when PassRole is explicitly denied',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          anIamRole('deployer', undefined, {
            inline: { p: aPolicyDocument(allowStmt(['eks:*', 'iam:PassRole']), denyStmt('iam:PassRole')) },
          }),
        ],
      }),
    },
    status: 'PASS',
    says: ['No principal'],
  },
];

describe(check.id, () => {
  itEvaluatesPathCases(check, cases);
});
