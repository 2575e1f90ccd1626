import { describe } from 'vitest';
import { anAccessEntry, roleArn, TEST_ADMIN_ROLE } from './builders.ts';
import type { CheckCase } from './cases.ts';
import check from './eks-cluster-admin-assume-paths.ts';
import { allowStmt, anIamRole, anIamUser, aPolicyDocument, awsPolicy, denyStmt, trustFor } from './iam-builders.ts';
import { itEvaluatesPathCases } from './path-cases.ts';
import { iamWith } from './path-fixtures.ts';

const ROOT = { AWS: 'arn:aws:iam::111122223333:root' };
const ASSUME_ANY = aPolicyDocument(allowStmt('sts:AssumeRole'));
const MFA = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
const breakGlassHolds = {
  accessEntries: [TEST_ADMIN_ROLE, roleArn('break-glass')].map((a) =>
    anAccessEntry(a, { policies: ['AmazonEKSClusterAdminPolicy'] }),
  ),
};

const cases: CheckCase[] = [
  {
    name: 'passes when no principal can assume a cluster-admin role',
    overrides: {},
    status: 'PASS',
    says: ['No principal'],
  },
  {
    name: 'fails, critical, for a user allowed sts:AssumeRole on * into a holder that trusts the account',
    overrides: {
      ...breakGlassHolds,
      iamAuthorization: iamWith({
        roles: [anIamRole('break-glass', trustFor(ROOT))],
        users: [anIamUser('alice', { inline: { assume: ASSUME_ANY } })],
      }),
    },
    status: 'FAIL',
    severity: 'critical',
    says: ['user/alice (sts:AssumeRole) → role/break-glass (eks:AccessKubernetesApi) → cluster-admin'],
  },
  {
    name: 'fails, marked conditional, when the trust requires MFA',
    overrides: {
      ...breakGlassHolds,
      iamAuthorization: iamWith({
        roles: [anIamRole('break-glass', trustFor(ROOT, { Condition: MFA }))],
        users: [anIamUser('alice', { inline: { assume: ASSUME_ANY } })],
      }),
    },
    status: 'FAIL',
    says: ['cluster-admin (conditional)'],
  },
  {
    name: 'fails for a role that can assume a role able to grant itself cluster-admin',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          anIamRole('dev', trustFor(ROOT), { attached: [awsPolicy('PowerUserAccess')] }),
          anIamRole('ci', undefined, {
            inline: { assume: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn('dev'))) },
          }),
        ],
      }),
    },
    status: 'FAIL',
    severity: 'high',
    says: ['role/ci (sts:AssumeRole) → role/dev (eks:CreateAccessEntry + eks:AssociateAccessPolicy) → cluster-admin'],
  },
  {
    name: 'fails, critical, when the holder trusts another account',
    overrides: {
      ...breakGlassHolds,
      iamAuthorization: iamWith({
        roles: [anIamRole('break-glass', trustFor({ AWS: 'arn:aws:iam::444455556666:root' }))],
      }),
    },
    status: 'FAIL',
    severity: 'critical',
    says: ['account 444455556666 (sts:AssumeRole) → role/break-glass'],
  },
  {
    name: 'passes when a permissions boundary keeps sts:AssumeRole from the user',
    overrides: {
      ...breakGlassHolds,
      iamAuthorization: iamWith({
        roles: [anIamRole('break-glass', trustFor(ROOT))],
        users: [anIamUser('alice', { inline: { assume: ASSUME_ANY }, boundary: awsPolicy('AmazonS3ReadOnlyAccess') })],
      }),
    },
    status: 'PASS',
    says: ['No principal'],
  },
  {
    name: 'passes when the trust denies everyone but the SSO role',
    overrides: {
      ...breakGlassHolds,
      iamAuthorization: iamWith({
        roles: [
          anIamRole(
            'break-glass',
            aPolicyDocument(
              { Effect: 'Allow', Principal: ROOT, Action: 'sts:AssumeRole' },
              denyStmt('sts:AssumeRole', '*', { Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' } }),
            ),
          ),
        ],
        users: [anIamUser('alice', { inline: { assume: ASSUME_ANY } })],
      }),
    },
    status: 'PASS',
    says: ['No principal'],
  },
  {
    name: 'says ERROR, naming it, when a trust policy on the way could not be parsed',
    overrides: { ...breakGlassHolds, iamAuthorization: iamWith({ roles: [anIamRole('break-glass', undefined)] }) },
    status: 'ERROR',
    says: ['role/break-glass trust policy'],
  },
];

describe(check.id, () => {
  itEvaluatesPathCases(check, cases);
});
