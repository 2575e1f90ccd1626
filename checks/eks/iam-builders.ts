/**
 * Test builders for an account's IAM authorization (`GetAccountAuthorizationDetails`, issue 13). The default account
 * has no privilege path: the platform team's role (assumed through SSO) holds cluster-admin, pods' roles read one
 * bucket, and node roles carry only AWS's node policies. Tests add the principals they are about.
 */
import type { IamPolicyDocument } from '../../core/snapshot.ts';
import type {
  IamAuthGroup,
  IamAuthorization,
  IamAuthRole,
  IamAuthUser,
  IamManagedPolicy,
} from '../../core/snapshot-iam.ts';
import { AWS_MANAGED_POLICIES } from '../../sim/aws/managed-policies.ts';

const IAM_ACCOUNT = '111122223333';

export const awsPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

export type Stmt = Record<string, unknown>;

export function aPolicyDocument(...Statement: Stmt[]): IamPolicyDocument {
  return { Version: '2012-10-17', Statement };
}

export const allowStmt = (Action: string | string[], Resource: string | string[] = '*', extra: Stmt = {}): Stmt => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

export const denyStmt = (Action: string | string[], Resource: string | string[] = '*', extra: Stmt = {}): Stmt => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...extra,
});

/** A trust policy letting `principal` (`{ AWS: ... }`, `{ Service: ... }`, `*`) assume the role. */
export function trustFor(principal: unknown, extra: Stmt = {}): IamPolicyDocument {
  return aPolicyDocument({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
}

interface PrincipalOptions {
  /** Inline policies by name. */
  inline?: Record<string, IamPolicyDocument | undefined>;
  attached?: string[];
  boundary?: string;
  path?: string;
  accountId?: string;
}

function principalBase(kind: 'role' | 'user' | 'group', name: string, o: PrincipalOptions) {
  const path = o.path ?? '/';
  return {
    arn: `arn:aws:iam::${o.accountId ?? IAM_ACCOUNT}:${kind}${path}${name}`,
    name,
    path,
    inlinePolicies: Object.entries(o.inline ?? {}).map(([n, document]) => ({ name: n, document })),
    attachedPolicyArns: o.attached ?? [],
    ...(o.boundary && kind !== 'group' ? { permissionsBoundaryArn: o.boundary } : {}),
  };
}

export function anIamRole(
  name: string,
  trust: IamPolicyDocument | undefined,
  o: PrincipalOptions & { instanceProfileArns?: string[] } = {},
): IamAuthRole {
  return {
    ...principalBase('role', name, o),
    trustPolicy: trust,
    ...(o.instanceProfileArns ? { instanceProfileArns: o.instanceProfileArns } : {}),
  };
}

export function anIamUser(name: string, o: PrincipalOptions & { groups?: string[] } = {}): IamAuthUser {
  return { ...principalBase('user', name, o), groups: o.groups ?? [] };
}

export function anIamGroup(name: string, o: PrincipalOptions = {}): IamAuthGroup {
  return principalBase('group', name, o);
}

function managed(arn: string, document: IamPolicyDocument | undefined): IamManagedPolicy {
  return { arn, name: arn.split('/').at(-1) ?? arn, document };
}

/**
 * AWS managed policies the tests attach: the simulator's catalogue (their default versions, as AWS publishes them),
 * plus PowerUserAccess, abbreviated to the statements that matter for paths.
 */
export const AWS_MANAGED: Record<string, IamManagedPolicy> = Object.fromEntries(
  [
    ...AWS_MANAGED_POLICIES.map((p) =>
      managed(
        awsPolicy(p.name),
        p.versions.find((v) => v.versionId === p.defaultVersionId)?.document as IamPolicyDocument | undefined,
      ),
    ),
    managed(
      awsPolicy('PowerUserAccess'),
      aPolicyDocument(
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        allowStmt([
          'iam:CreateServiceLinkedRole',
          'iam:DeleteServiceLinkedRole',
          'iam:ListRoles',
          'organizations:DescribeOrganization',
        ]),
      ),
    ),
  ].map((p) => [p.arn, p]),
);

export const NODE_BASELINE_POLICIES = [
  awsPolicy('AmazonEKSWorkerNodePolicy'),
  awsPolicy('AmazonEKS_CNI_Policy'),
  awsPolicy('AmazonEC2ContainerRegistryReadOnly'),
];

/** The role a managed node group's nodes run as, with only AWS's node policies. */
export function aNodeRole(name: string, o: PrincipalOptions = {}): IamAuthRole {
  return anIamRole(name, trustFor({ Service: 'ec2.amazonaws.com' }), {
    ...o,
    attached: [...NODE_BASELINE_POLICIES, ...(o.attached ?? [])],
  });
}

/** A role that EKS Pod Identity hands to pods. */
export function aPodRole(name: string, o: PrincipalOptions = {}): IamAuthRole {
  return anIamRole(
    name,
    aPolicyDocument({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    }),
    o,
  );
}

/**
 * The default account: `platform-admin` (SSO, `eks:*` on the account's clusters), `payments-api-pod` (reads one
 * bucket), a node role per name in `nodeRoles`, and any `roles`/`users`/`groups` given; managed policies resolved from
 * AWS_MANAGED and `managedPolicies`.
 */
export function anIamAuthorization(
  o: {
    accountId?: string;
    nodeRoles?: string[];
    roles?: IamAuthRole[];
    users?: IamAuthUser[];
    groups?: IamAuthGroup[];
    managedPolicies?: IamManagedPolicy[];
    serviceControlPolicies?: IamAuthorization['serviceControlPolicies'];
    problems?: IamAuthorization['problems'];
    /** Leave out the default principals. */
    bare?: boolean;
  } = {},
): IamAuthorization {
  const accountId = o.accountId ?? IAM_ACCOUNT;
  const defaults: IamAuthRole[] = o.bare
    ? []
    : [
        anIamRole(
          'platform-admin',
          aPolicyDocument({
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${accountId}:saml-provider/corp-sso` },
            Action: 'sts:AssumeRoleWithSAML',
            Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
          }),
          {
            accountId,
            inline: {
              'eks-admin': aPolicyDocument(
                allowStmt('eks:*', [
                  `arn:aws:eks:*:${accountId}:cluster/*`,
                  `arn:aws:eks:*:${accountId}:access-entry/*`,
                ]),
                allowStmt(['eks:List*', 'eks:Describe*']),
              ),
            },
          },
        ),
        aPodRole('payments-api-pod', {
          accountId,
          inline: {
            'statements-read': aPolicyDocument(
              allowStmt('s3:GetObject', 'arn:aws:s3:::payments-statements/*'),
              allowStmt('sqs:SendMessage', `arn:aws:sqs:eu-west-1:${accountId}:payments-events`),
            ),
          },
        }),
      ];
  const roles = [...defaults, ...(o.roles ?? [])];
  for (const n of o.nodeRoles ?? []) if (!roles.some((r) => r.name === n)) roles.push(aNodeRole(n, { accountId }));
  const principals = [...roles, ...(o.users ?? []), ...(o.groups ?? [])];
  const extra = Object.fromEntries((o.managedPolicies ?? []).map((p) => [p.arn, p]));
  const managedPolicies: Record<string, IamManagedPolicy> = {};
  for (const p of principals) {
    const boundary = (p as { permissionsBoundaryArn?: string }).permissionsBoundaryArn;
    for (const arn of [...p.attachedPolicyArns, ...(boundary ? [boundary] : [])]) {
      const m = extra[arn] ?? AWS_MANAGED[arn];
      if (m) managedPolicies[arn] = m;
    }
  }
  return {
    accountId,
    roles,
    users: o.users ?? [],
    groups: o.groups ?? [],
    managedPolicies,
    ...(o.serviceControlPolicies
      ? { serviceControlPolicies: o.serviceControlPolicies }
      : { serviceControlPoliciesNote: 'AWS Organizations was not read (test account)' }),
    problems: o.problems ?? [],
  };
}

/** The account with more principals (and the managed policies they attach), or SCPs; the input is not changed. */
export function extendIam(
  auth: IamAuthorization,
  extra: {
    roles?: IamAuthRole[];
    users?: IamAuthUser[];
    groups?: IamAuthGroup[];
    managedPolicies?: IamManagedPolicy[];
    serviceControlPolicies?: IamAuthorization['serviceControlPolicies'];
    problems?: IamAuthorization['problems'];
  },
): IamAuthorization {
  const replaced = new Set((extra.roles ?? []).map((r) => r.name));
  const more = anIamAuthorization({
    accountId: auth.accountId,
    bare: true,
    roles: extra.roles ?? [],
    users: extra.users ?? [],
    groups: extra.groups ?? [],
    managedPolicies: extra.managedPolicies ?? [],
  });
  const { serviceControlPoliciesNote, ...rest } = auth;
  return {
    ...rest,
    roles: [...auth.roles.filter((r) => !replaced.has(r.name)), ...more.roles],
    users: [...auth.users, ...more.users],
    groups: [...auth.groups, ...more.groups],
    managedPolicies: { ...auth.managedPolicies, ...more.managedPolicies },
    ...(extra.serviceControlPolicies
      ? { serviceControlPolicies: extra.serviceControlPolicies }
      : auth.serviceControlPolicies
        ? {}
        : { serviceControlPoliciesNote }),
    problems: [...auth.problems, ...(extra.problems ?? [])],
  };
}
