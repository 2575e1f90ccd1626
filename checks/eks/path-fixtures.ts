/**
 * Example clusters for the privilege-path checks (issue 13): each kind of path, and ones that look dangerous but are
 * not (an explicit deny, a permissions boundary, an SCP, IMDS closed to pods). Spread into fixtures.ts `examples`.
 */
import type { EksClusterSnapshot } from '../../core/snapshot.ts';
import type { IamAuthorization } from '../../core/snapshot-iam.ts';
import {
  anAccessEntry,
  anEksCluster,
  type EksClusterOverrides,
  iamFacts,
  podIdentityTrustPolicy,
  roleArn,
  TEST_ADMIN_ROLE,
  TEST_POD_ROLE,
  withCustomAmi,
} from './builders.ts';
import type { CheckExamples } from './fixtures.ts';
import {
  allowStmt,
  anIamAuthorization,
  anIamRole,
  anIamUser,
  aPodRole,
  aPolicyDocument,
  awsPolicy,
  denyStmt,
  extendIam,
  trustFor,
} from './iam-builders.ts';

type Extra = Parameters<typeof extendIam>[1];

/** A cluster of the default account with more IAM principals. */
export function withIam(name: string, extra: Extra, overrides: EksClusterOverrides = {}): EksClusterSnapshot {
  const s = anEksCluster({ name, ...overrides });
  s.iamAuthorization = extendIam(s.iamAuthorization!, extra);
  return s;
}

const ACCOUNT_ROOT = (account = '111122223333') => ({ AWS: `arn:aws:iam::${account}:root` });

const GRANT_ACTIONS = ['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'];

/** A CI user that can make anyone cluster-admin: critical. */
export const grantingUser = anIamUser('ci-deployer', {
  inline: { 'eks-access': aPolicyDocument(allowStmt([...GRANT_ACTIONS, 'eks:Describe*'])) },
});

/** A role holding cluster-admin (access entry) that every principal of the account may assume if allowed. */
const breakGlass = anIamRole('break-glass', trustFor(ACCOUNT_ROOT()));
const withBreakGlass: EksClusterOverrides = {
  iam: iamFacts(
    { arn: TEST_ADMIN_ROLE, kind: 'role', exists: true, trustPolicy: undefined },
    { arn: TEST_POD_ROLE, kind: 'role', exists: true, trustPolicy: podIdentityTrustPolicy() },
    { arn: roleArn('break-glass'), kind: 'role', exists: true, trustPolicy: trustFor(ACCOUNT_ROOT()) },
  ),
  accessEntries: [
    anAccessEntry(TEST_ADMIN_ROLE, { policies: ['AmazonEKSClusterAdminPolicy'] }),
    anAccessEntry(roleArn('break-glass'), { policies: ['AmazonEKSClusterAdminPolicy'] }),
  ],
};
const ASSUME_ANY = aPolicyDocument(allowStmt('sts:AssumeRole'));

const podCluster = (name: string, policy: Record<string, unknown>[], attached: string[] = []) =>
  withIam(
    name,
    {
      roles: [
        aPodRole('payments-api-pod', {
          inline: policy.length > 0 ? { 'pod-policy': aPolicyDocument(...policy) } : {},
          attached,
        }),
      ],
    },
    {},
  );

const NODE_ROLE = 'payments-prod-node-role';
const nodeWith = (name: string, attached: string[], overrides: EksClusterOverrides = {}) => {
  const s = anEksCluster({ name, ...overrides });
  const role = s.iamAuthorization!.roles.find((r) => r.name === NODE_ROLE || r.name.endsWith('-node-role'))!;
  s.iamAuthorization = extendIam(s.iamAuthorization!, {
    roles: [{ ...role, attachedPolicyArns: [...role.attachedPolicyArns, ...attached] }],
  });
  return s;
};

export const pathExamples: Record<string, CheckExamples> = {
  'EKS.ACCESS.6': {
    pass: [
      anEksCluster({ name: 'grant-admins-only' }),
      // PowerUserAccess includes eks:*, but a permissions boundary keeps access entries out of reach.
      withIam('grant-bounded-poweruser', {
        roles: [
          anIamRole('developer', trustFor(ACCOUNT_ROOT()), {
            attached: [awsPolicy('PowerUserAccess')],
            boundary: 'arn:aws:iam::111122223333:policy/no-eks-access-admin',
          }),
        ],
        managedPolicies: [
          {
            arn: 'arn:aws:iam::111122223333:policy/no-eks-access-admin',
            name: 'no-eks-access-admin',
            document: aPolicyDocument(
              allowStmt('*'),
              denyStmt(['eks:*AccessEntry', 'eks:AssociateAccessPolicy', 'eks:UpdateClusterConfig']),
            ),
          },
        ],
      }),
    ],
    fail: [
      withIam('grant-ci-user', { users: [grantingUser] }),
      withIam('grant-poweruser-role', {
        roles: [anIamRole('developer', trustFor(ACCOUNT_ROOT()), { attached: [awsPolicy('PowerUserAccess')] })],
      }),
    ],
  },
  'EKS.ACCESS.7': {
    pass: [
      anEksCluster({ name: 'assume-none' }),
      // The break-glass role trusts the account, but the only principal allowed sts:AssumeRole is explicitly denied it.
      withIam(
        'assume-denied',
        {
          roles: [breakGlass],
          users: [
            anIamUser('alice', {
              inline: {
                assume: ASSUME_ANY,
                'no-break-glass': aPolicyDocument(denyStmt('sts:AssumeRole', roleArn('break-glass'))),
              },
            }),
          ],
        },
        withBreakGlass,
      ),
    ],
    fail: [
      withIam(
        'assume-break-glass',
        { roles: [breakGlass], users: [anIamUser('alice', { inline: { assume: ASSUME_ANY } })] },
        withBreakGlass,
      ),
      // A chain: ci → deployer → break-glass, each trusting the account root; and another account trusted directly.
      withIam(
        'assume-chain',
        {
          roles: [
            anIamRole('break-glass', trustFor(ACCOUNT_ROOT()), {}),
            anIamRole('deployer', trustFor(ACCOUNT_ROOT()), { inline: { hop: ASSUME_ANY } }),
            anIamRole('ci', trustFor({ AWS: ['arn:aws:iam::444455556666:root'] }), {
              inline: { hop: aPolicyDocument(allowStmt('sts:AssumeRole', roleArn('deployer'))) },
            }),
          ],
        },
        withBreakGlass,
      ),
    ],
  },
  'EKS.IDENTITY.6': {
    pass: [
      anEksCluster({ name: 'pod-role-scoped' }),
      // s3:GetObject on *, taken back by an explicit Deny on everything but its own bucket.
      podCluster('pod-role-denied', [
        allowStmt('s3:GetObject'),
        { Effect: 'Deny', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::payments-statements/*' },
      ]),
    ],
    fail: [
      podCluster('pod-role-admin', [], [awsPolicy('AdministratorAccess')]),
      podCluster('pod-role-passrole', [allowStmt(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'])]),
      podCluster('pod-role-secrets', [allowStmt(['secretsmanager:GetSecretValue', 'kms:Decrypt'])]),
    ],
  },
  'EKS.IDENTITY.7': {
    pass: [
      anEksCluster({ name: 'node-role-baseline' }),
      // S3 read on the node role, but IMDSv2 with hop limit 1: pods cannot reach it.
      nodeWith('node-role-imds-closed', [awsPolicy('AmazonS3ReadOnlyAccess')], withCustomAmi({})),
    ],
    fail: [
      nodeWith('node-role-s3', [awsPolicy('AmazonS3ReadOnlyAccess')]),
      nodeWith('node-role-admin', [awsPolicy('AdministratorAccess')]),
    ],
  },
  'EKS.IDENTITY.8': {
    pass: [
      anEksCluster({ name: 'handover-none' }),
      // PassRole only to Lambda: the condition is recorded, but no Pod Identity association can be created.
      withIam('handover-no-association', {
        roles: [
          anIamRole('deployer', trustFor(ACCOUNT_ROOT()), {
            inline: { deploy: aPolicyDocument(allowStmt(['iam:PassRole', 'lambda:*'])) },
          }),
        ],
      }),
    ],
    fail: [
      withIam('handover-ci', {
        roles: [
          anIamRole('ci-deployer', trustFor(ACCOUNT_ROOT()), {
            inline: {
              deploy: aPolicyDocument(
                allowStmt('eks:CreatePodIdentityAssociation', 'arn:aws:eks:*:111122223333:cluster/*'),
                allowStmt('iam:PassRole', '*', {
                  Condition: { StringEquals: { 'iam:PassedToService': 'pods.eks.amazonaws.com' } },
                }),
              ),
            },
          }),
        ],
      }),
    ],
  },
};

/** The default cluster's account (payments-prod) with more principals: an `iamAuthorization` override for test cases. */
export function iamWith(extra: Extra): IamAuthorization {
  return extendIam(anIamAuthorization({ nodeRoles: [NODE_ROLE] }), extra);
}
