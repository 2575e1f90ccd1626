import { describe, expect, it } from 'vitest';
import { aContext, anAccessEntry, anEksCluster, evaluateOnce, roleArn, TEST_ADMIN_ROLE, userArn } from './builders.ts';
import type { CheckCase } from './cases.ts';
import check from './eks-cluster-access-grant-paths.ts';
import { allowStmt, anIamRole, anIamUser, aPolicyDocument, awsPolicy, denyStmt, trustFor } from './iam-builders.ts';
import { itEvaluatesPathCases } from './path-cases.ts';
import { iamWith } from './path-fixtures.ts';

const ROOT = { AWS: 'arn:aws:iam::111122223333:root' };
const eksPolicy = (...actions: string[]) => aPolicyDocument(allowStmt(actions));

const cases: CheckCase[] = [
  {
    name: 'passes when only the cluster-admin can grant access',
    overrides: {},
    status: 'PASS',
    says: ['Only the 1 cluster-admin'],
  },
  {
    name: 'fails, critical, for an IAM user that can create an access entry and associate an access policy',
    overrides: {
      iamAuthorization: iamWith({
        users: [anIamUser('ci', { inline: { eks: eksPolicy('eks:CreateAccessEntry', 'eks:AssociateAccessPolicy') } })],
      }),
    },
    status: 'FAIL',
    severity: 'critical',
    says: ['user/ci (eks:CreateAccessEntry + eks:AssociateAccessPolicy) → cluster-admin'],
  },
  {
    name: 'fails, high, for a role with PowerUserAccess (NotAction iam:* covers eks:*)',
    overrides: {
      iamAuthorization: iamWith({
        roles: [anIamRole('dev', trustFor(ROOT), { attached: [awsPolicy('PowerUserAccess')] })],
      }),
    },
    status: 'FAIL',
    severity: 'high',
    says: ['role/dev (eks:CreateAccessEntry + eks:AssociateAccessPolicy)', 'role/dev (eks:UpdateAccessEntry)'],
  },
  {
    name: 'fails for a role that can switch the authentication mode',
    overrides: {
      iamAuthorization: iamWith({
        roles: [anIamRole('ops', undefined, { inline: { c: eksPolicy('eks:UpdateClusterConfig') } })],
      }),
    },
    status: 'FAIL',
    says: ['role/ops (eks:UpdateClusterConfig) → cluster-access'],
  },
  {
    name: 'passes when an explicit deny takes the access-entry actions back',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          anIamRole('dev', trustFor(ROOT), {
            attached: [awsPolicy('PowerUserAccess')],
            inline: {
              deny: aPolicyDocument(
                denyStmt(['eks:*AccessEntry', 'eks:AssociateAccessPolicy', 'eks:UpdateClusterConfig']),
              ),
            },
          }),
        ],
      }),
    },
    status: 'PASS',
    says: ['Only the 1 cluster-admin'],
  },
  {
    name: 'passes when the grant is only on another cluster',
    overrides: {
      iamAuthorization: iamWith({
        roles: [
          anIamRole('dev', undefined, {
            inline: {
              eks: aPolicyDocument(
                allowStmt(
                  ['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'],
                  [
                    'arn:aws:eks:eu-west-1:111122223333:cluster/sandbox',
                    'arn:aws:eks:eu-west-1:111122223333:access-entry/sandbox/*',
                  ],
                ),
              ),
            },
          }),
        ],
      }),
    },
    status: 'PASS',
    says: ['Only the 1 cluster-admin'],
  },
  {
    name: 'does not count a principal that already holds cluster-admin',
    overrides: {
      accessEntries: [TEST_ADMIN_ROLE, roleArn('ops')].map((a) =>
        anAccessEntry(a, { policies: ['AmazonEKSClusterAdminPolicy'] }),
      ),
      iamAuthorization: iamWith({
        roles: [anIamRole('ops', undefined, { attached: [awsPolicy('AdministratorAccess')] })],
      }),
    },
    status: 'PASS',
    says: ['Only the 2 cluster-admins'],
  },
  {
    name: 'says ERROR, naming the policy, when a policy on the way could not be parsed',
    overrides: { iamAuthorization: iamWith({ users: [anIamUser('ci', { inline: { broken: undefined } })] }) },
    status: 'ERROR',
    says: ['could not be read', `${userArn('ci')} inline:broken`],
  },
];

describe(check.id, () => {
  itEvaluatesPathCases(check, cases);

  it('lists every path hop by hop in the evidence', () => {
    const r = evaluateOnce(
      check,
      anEksCluster({
        iamAuthorization: iamWith({
          users: [
            anIamUser('ci', { inline: { eks: eksPolicy('eks:CreateAccessEntry', 'eks:AssociateAccessPolicy') } }),
          ],
        }),
      }),
      aContext(),
    );
    const paths = (r.evidence as { accessPaths: { subject: string; hops: { action: string }[] }[] }).accessPaths;
    expect(paths.map((p) => [p.subject, p.hops.map((h) => h.action)])).toEqual([
      [userArn('ci'), ['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy']],
    ]);
  });
});
